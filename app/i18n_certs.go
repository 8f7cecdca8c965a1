package app

// Strings of the certificate picker and the token PIN.
var (
	txtCertChoose      = text{"인증서 선택", "Choose a certificate"}
	txtCertSearching   = text{"이 컴퓨터와 이동식 디스크, 보안토큰에서 인증서를 찾고 있습니다…", "Looking for certificates on this computer, removable drives and security tokens…"}
	txtCertNone        = text{"찾은 인증서가 없습니다. '인증서 파일 추가' 또는 '인증서 폴더 추가'로 직접 골라 주세요.", "No certificate was found. Use 'Add certificate file' or 'Add certificate folder' to pick one."}
	txtCertAddFile     = text{"인증서 파일 추가…", "Add certificate file…"}
	txtCertAddFolder   = text{"인증서 폴더 추가…", "Add certificate folder…"}
	txtCertRefresh     = text{"다시 찾기", "Search again"}
	txtStorageDisk     = text{"하드디스크", "Hard disk"}
	txtStorageUSB      = text{"이동식 디스크", "Removable drive"}
	txtStorageToken    = text{"보안토큰", "Security token"}
	txtCertExpires     = text{"만료일 %s (%d일 남음)", "Expires %s (%d days left)"}
	txtCertExpired     = text{"만료됨 %s: 사용할 수 없습니다", "Expired %s: cannot be used"}
	txtCertNotYet      = text{"%s부터 사용할 수 있습니다", "Usable from %s"}
	txtCertFileKind    = text{"인증서 파일(PKCS#12)", "Certificate file (PKCS#12)"}
	txtCertLocked      = text{"암호를 넣으면 내용을 볼 수 있습니다", "Enter the password to read it"}
	txtCertUnreadable  = text{"읽을 수 없는 인증서입니다", "This certificate cannot be read"}
	txtCertPickFirst   = text{"사용할 인증서를 목록에서 골라 주세요.", "Please choose a certificate from the list."}
	txtCertNotUsable   = text{"이 인증서는 쓸 수 없습니다. 다른 인증서를 골라 주세요.", "This certificate cannot be used. Please choose another one."}
	txtTokenPIN        = text{"보안토큰 PIN", "Security token PIN"}
	txtNeedPIN         = text{"보안토큰 PIN을 입력해 주세요.", "Please enter the PIN of your security token."}
	txtWeakKey         = text{"이 인증서의 개인키는 오래된 방식(SHA-1)으로 암호화되어 있습니다. 더 안전한 방식으로 다시 암호화할 수 있습니다.", "This certificate's private key is encrypted the old way (SHA-1). You can re-encrypt it more safely."}
	txtRekeyButton     = text{"암호화 강화…", "Strengthen encryption…"}
	txtRekeyTitle      = text{"개인키 다시 암호화", "Re-encrypt the private key"}
	txtRekeyIntro      = text{"지금 암호와 새 암호를 입력하세요. 원래 파일은 같은 폴더에 백업으로 남습니다(원래 암호로 열리므로, 새 암호가 잘 되는지 확인한 뒤 지우세요).", "Enter the current and a new password. The old file stays in the same folder as a backup (it still opens with the old password: delete it once the new one works)."}
	txtRekeyOld        = text{"지금 암호", "Current password"}
	txtRekeyNew        = text{"새 암호", "New password"}
	txtRekeyAgain      = text{"새 암호 확인", "New password again"}
	txtRekeyDo         = text{"다시 암호화", "Re-encrypt"}
	txtRekeyMismatch   = text{"새 암호 두 개가 서로 다릅니다.", "The two new passwords differ."}
	txtRekeyShort      = text{"새 암호는 10자 이상으로 해 주세요.", "Please use at least 10 characters for the new password."}
	txtRekeyDone       = text{"개인키를 다시 암호화했습니다. 다음부터 새 암호를 사용하세요.", "The private key was re-encrypted. Use the new password from now on."}
	txtErrWrongPIN     = text{"보안토큰 PIN이 맞지 않습니다. 여러 번 틀리면 보안토큰이 잠깁니다.", "The security token PIN is not correct. The token locks after several wrong PINs."}
	txtErrPINLocked    = text{"보안토큰이 잠겼습니다. 보안토큰을 발급한 곳에서 잠금을 풀어야 합니다.", "The security token is locked. The issuer of the token must unlock it."}
	txtErrKeyDamaged   = text{"인증서의 개인키 파일(signPri.key)이 손상되었습니다. 인증서를 다시 복사하거나 재발급받아 주세요.", "The certificate's private key file (signPri.key) is damaged. Please copy the certificate again or have it reissued."}
	txtErrKeyAlgorithm = text{"이 인증서의 개인키는 bonsign이 지원하지 않는 방식으로 암호화되어 있습니다.", "This certificate's private key is encrypted in a way bonsign does not support."}
	txtErrKeyMismatch  = text{"인증서와 개인키 파일이 서로 맞지 않습니다. 인증서를 다시 복사해 주세요.", "The certificate and its private key file do not belong together. Please copy the certificate again."}
	txtErrNotYours     = text{"이 인증서는 입력하신 주민등록번호의 본인 인증서가 아닙니다. 본인의 인증서로 서명해 주세요.", "This certificate does not belong to the resident registration number you entered. Please sign with your own certificate."}
)
