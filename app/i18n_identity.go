package app

// Strings of the two ways in (certificate; ID and password, then the
// certificate), the forced change of the initial password, the extra
// identity check by phone or security token, and the approval status.
var (
	// The way in.
	txtPathCert      = text{"인증서 로그인", "Certificate"}
	txtPathPassword  = text{"아이디·비밀번호 로그인", "ID and password"}
	txtCertStepTitle = text{"인증서 확인", "Confirm with your certificate"}
	txtCertStepIntro = text{
		"아이디와 비밀번호를 확인했습니다. 이제 승인받은 본인의 인증서를 고르고 암호를 입력하세요.",
		"Your ID and password are correct. Now choose the certificate you were approved with and type its password.",
	}
	txtPasswordChanged = text{"✓ 비밀번호를 바꿨습니다. 다음부터는 새 비밀번호로 로그인하세요.", "✓ Your password was changed. Use the new one from now on."}

	// The resident registration number an NPKI certificate's VID needs.
	txtVIDLabel = text{"주민등록번호", "Resident registration number"}
	txtVIDIntro = text{
		"공동인증서는 주민등록번호로 본인의 것인지 확인합니다. 번호는 발급 서버에만 암호화하여 보내고 저장하지 않습니다.",
		"An NPKI certificate is matched to you by your resident registration number. It goes, encrypted, to the issuance server only, and is not kept.",
	}
	txtVIDNeedRRN  = text{"주민등록번호 13자리를 입력해 주세요.", "Please type your 13-digit resident registration number."}
	txtVIDBadRRN   = text{"주민등록번호를 다시 확인해 주세요: 예) 900101-1234567", "Please check the resident registration number: e.g. 900101-1234567"}
	txtVIDNotYours = text{
		"이 인증서는 입력하신 주민등록번호의 본인 인증서가 아닙니다. 번호와 인증서를 확인해 주세요.",
		"This certificate does not belong to the resident registration number you typed. Please check both.",
	}

	// The ID/password login.
	txtPwLoginTitle = text{"아이디·비밀번호 로그인", "Log in with your ID and password"}
	txtPwLoginIntro = text{
		"읍·면·동 행정복지센터에서 승인받을 때 받은 아이디와 비밀번호를 입력하세요. 다음 단계에서 인증서로 한 번 더 확인합니다.",
		"Type the ID and password you were given when you were approved at the community service centre. In the next step you confirm with your certificate.",
	}
	txtLoginID      = text{"아이디", "ID"}
	txtPassword     = text{"비밀번호", "Password"}
	txtNext         = text{"다음", "Next"}
	txtNeedLoginID  = text{"아이디를 입력해 주세요.", "Please type your ID."}
	txtNeedPw       = text{"비밀번호를 입력해 주세요.", "Please type your password."}
	txtCheckingPw   = text{"아이디와 비밀번호를 확인하는 중입니다…", "Checking your ID and password…"}
	txtPwLoginFirst = text{
		"처음 로그인하실 때는 받은 초기 비밀번호를 본인만 아는 새 비밀번호로 바꿉니다.",
		"At your first login you replace the initial password with one only you know.",
	}

	// The forced change of the initial password.
	txtChangePwTitle = text{"초기 비밀번호 변경", "Change your initial password"}
	txtChangePwIntro = text{
		"처음 로그인하셨습니다. 행정복지센터에서 받은 초기 비밀번호는 바꾸어야 계속할 수 있습니다. 본인만 아는 새 비밀번호를 정해 주세요.",
		"This is your first login. The initial password from the community service centre must be changed before you go on. Choose a new password only you know.",
	}
	txtPwRulesTitle     = text{"새 비밀번호 규칙", "Rules for the new password"}
	txtPwRuleLength     = text{"10자 이상", "At least 10 characters"}
	txtPwRuleMix        = text{"문자와 함께 숫자 또는 기호를 섞어 쓰기", "Letters mixed with digits or symbols"}
	txtPwRuleNoID       = text{"아이디를 넣지 않기", "Does not contain your ID"}
	txtPwRuleNew        = text{"초기 비밀번호와 다르게", "Differs from the initial password"}
	txtNewPassword      = text{"새 비밀번호", "New password"}
	txtNewPasswordAgain = text{"새 비밀번호 확인 (한 번 더)", "New password again"}
	txtChangePwButton   = text{"비밀번호 바꾸기", "Change password"}
	txtChangingPw       = text{"비밀번호를 바꾸는 중입니다…", "Changing your password…"}
	txtPwMismatch       = text{"새 비밀번호 두 개가 서로 다릅니다. 같게 입력해 주세요.", "The two new passwords differ. Please type the same one twice."}
	txtPwRulesUnmet     = text{"새 비밀번호가 규칙에 맞지 않습니다. 위의 규칙을 확인해 주세요.", "The new password does not follow the rules above."}

	// The extra identity check by phone.
	txtChannelLabel = text{"인증번호를 받을 방법", "How to receive the code"}
	txtChannelSMS   = text{"문자메시지", "Text message"}
	txtChannelVoice = text{"음성 전화(ARS)", "Voice call"}
	txtChannelHint  = text{
		"전화를 받기 어려우시면 문자메시지를 고르세요.",
		"If you cannot take a voice call, choose a text message.",
	}
	txtChannelVoiceOnly = text{
		"등록된 전화는 음성 전화로만 인증번호를 받을 수 있습니다. 문자메시지로 받으시려면 행정복지센터에서 등록 정보를 바꿔 주세요.",
		"Your registered phone can only take the code by voice call. To receive it by text, have your details changed at the community service centre.",
	}
	txtCodePhone      = text{"등록된 전화: %s", "Registered phone: %s"}
	txtCodeSend       = text{"인증번호 받기", "Send me a code"}
	txtCodeResendWait = text{"인증번호 다시 받기 (%d:%02d 후)", "Send a new code (in %d:%02d)"}
	txtCodeSendFirst  = text{"먼저 [인증번호 받기]를 눌러 인증번호를 받아 주세요.", "Please press 'Send me a code' first."}

	// The extra identity check by security token.
	txtTokenTitle = text{"보안토큰 본인확인", "Security token check"}
	txtTokenIntro = text{
		"승인 때 등록한 보안토큰으로 본인확인을 합니다. 보안토큰을 꽂고, 목록에서 보안토큰의 인증서를 고른 뒤 PIN을 입력하세요.",
		"You confirm it is you with the security token registered at your approval. Plug it in, choose its certificate in the list and enter its PIN.",
	}
	txtTokenChoose = text{"보안토큰 인증서", "Certificate on the security token"}
	txtTokenNone   = text{
		"보안토큰을 찾지 못했습니다. 보안토큰을 꽂은 뒤 [다시 찾기]를 눌러 주세요.",
		"No security token was found. Plug it in and press 'Search again'.",
	}
	txtTokenConfirm  = text{"본인확인", "Confirm"}
	txtTokenChecking = text{"보안토큰으로 서명하여 확인하는 중입니다…", "Signing with the security token…"}

	// The home screen.
	txtHomeStepsIdentity = text{
		"1. 인증서로 로그인합니다. 아이디·비밀번호로 로그인한 뒤 인증서로 확인할 수도 있습니다.\n2. 승인 때 고른 방법으로 본인확인을 합니다: 문자메시지나 음성 전화로 받은 인증번호, 또는 보안토큰.\n3. 용도, 거래상대방, 위임받은 사람, 제출기관을 적습니다.\n4. 인증서 암호를 다시 입력하여 서명하고 제출합니다.\n5. 발급증을 받아 문서지갑에 보관합니다.",
		"1. Log in with your certificate, or with your ID and password and then your certificate.\n2. Confirm it is you the way you chose at your approval: a code by text message or voice call, or your security token.\n3. Write the purpose, the counterparty, any delegate and the recipient institution.\n4. Sign with your certificate password and submit.\n5. Receive the receipt and keep it in your document wallet.",
	}

	// The approval status on the home screen.
	txtStatusTitle     = text{"발급시스템 이용 승인", "Your approval to use the issuance system"}
	txtStatusWho       = text{"%s 님 (%s)", "%s (%s)"}
	txtStatusUntil     = text{"유효기간: %s까지", "Valid until %s"}
	txtStatusRenewFrom = text{"갱신은 %s부터 할 수 있습니다.", "It can be renewed from %s."}
	txtStatusRenew     = text{
		"갱신 기간입니다: 가까운 읍·면·동 행정복지센터에서 갱신하세요",
		"Renewal time: renew it at any local community service centre (읍·면·동)",
	}
	txtStatusExpired = text{
		"이용 승인의 유효기간이 지났습니다. 신분증을 가지고 행정복지센터에서 다시 승인받아 주세요.",
		"Your approval has expired. Please be approved again at a community service centre, with your ID.",
	}
	txtConsentLegal   = text{"법정대리인 동의", "Consent of the legal representative"}
	txtConsentLimited = text{"한정후견인 동의", "Consent of the limited guardian"}
	txtConsentLine    = text{"%s (%s) · %s · %s · %s 기록", "%s (%s) · %s · %s · recorded %s"}

	// The demo's ID/password.
	txtDemoLoginID   = text{"아이디", "ID"}
	txtDemoInitialPw = text{"초기 비밀번호", "Initial password"}
)
