package app

// The wallet's texts: the wallet screen, the verification states, printing,
// export and import. Korean, then English, as in i18n.go.
var (
	txtWalletSearch     = text{"발급번호, 용도, 제출기관으로 찾기", "Search by issue number, purpose or institution"}
	txtWalletNewest     = text{"최신순", "Newest first"}
	txtWalletOldest     = text{"오래된순", "Oldest first"}
	txtWalletFound      = text{"발급증 %d건 중 %d건", "%[2]d of %[1]d receipts"}
	txtWalletNoMatch    = text{"찾는 발급증이 없습니다.", "No receipt matches."}
	txtWalletChecking   = text{"발급증을 확인하는 중…", "Checking the receipt…"}
	txtWalletImport     = text{"가져오기…", "Import…"}
	txtWalletExportAll  = text{"모두 내보내기…", "Export all…"}
	txtWalletRowWarning = text{"확인 필요", "Check"}

	// The verification states. Each title is short and plain; each body
	// says what it means and what to do.
	txtStatusVerified     = text{"진본 확인됨", "Genuine"}
	txtStatusVerifiedBody = text{
		"전자본인서명확인서 발급시스템이 전자서명한 발급증이며, 발급된 뒤에 바뀐 내용이 없습니다. 인터넷 연결 없이 이 컴퓨터에서 확인했습니다.",
		"The issuance system signed this receipt, and nothing in it has changed since. Checked on this computer, without the internet.",
	}
	txtStatusAltered     = text{"변경됨: 믿을 수 없는 발급증", "Altered: do not rely on it"}
	txtStatusAlteredBody = text{
		"이 발급증은 발급된 뒤에 내용이나 전자서명이 바뀌었습니다. 아래 내용을 믿지 마세요. 발급번호로 발급시스템에 문의하거나, 처음 받은 발급증 파일을 다시 가져오세요.",
		"The content or the signature of this receipt changed after it was issued. Do not rely on what it says below. Ask the issuance system about the issue number, or import the receipt file you first received again.",
	}
	txtStatusForeign     = text{"다른 곳에서 서명됨: 믿을 수 없는 발급증", "Not from this issuance system: do not rely on it"}
	txtStatusForeignBody = text{
		"이 발급증의 전자서명은 이 앱이 신뢰하는 전자본인서명확인서 발급시스템의 것이 아닙니다. 위조되었을 수 있습니다.",
		"This receipt was not signed by the issuance system this app trusts. It may be forged.",
	}
	txtStatusNotPinnedBody = text{
		"이 컴퓨터는 아직 발급시스템의 인증서를 받지 않아 발급증을 확인할 수 없습니다. 이 앱으로 확인서를 한 번 발급받으면 인증서를 받아 둡니다.",
		"This computer has not received the issuance system's certificate yet, so it cannot check receipts. It receives it the first time you issue a confirmation with this app.",
	}
	txtStatusDamaged     = text{"손상됨", "Damaged"}
	txtStatusDamagedBody = text{
		"발급증 파일이 없거나, 잘렸거나, 발급증이 아닙니다. 발급번호로 발급시스템에 문의하거나, 내보내 둔 발급증 파일을 다시 가져오세요.",
		"A file of this receipt is missing, cut short, or not a receipt. Ask the issuance system about the issue number, or import a copy you exported before.",
	}
	txtStatusUnsignedBody = text{
		"이전 버전의 앱이 저장한 발급증이라 발급시스템의 전자서명이 없어 진본인지 확인할 수 없습니다. 필요 없으면 지우셔도 됩니다.",
		"An earlier version of the app saved this receipt without the issuance system's signature, so it cannot be checked. You may delete it if you no longer need it.",
	}

	txtSavePDF          = text{"PDF로 저장…", "Save as PDF…"}
	txtPrint            = text{"인쇄…", "Print…"}
	txtExport           = text{"내보내기…", "Export…"}
	txtDelete           = text{"삭제…", "Delete…"}
	txtOnlyGenuinePrint = text{
		"진본으로 확인된 발급증만 PDF로 저장하거나 인쇄할 수 있습니다.",
		"Only a receipt confirmed genuine can be saved as PDF or printed.",
	}
	txtSavedPDF    = text{"PDF로 저장했습니다.", "Saved as PDF."}
	txtPrintOpened = text{
		"PDF를 열었습니다. PDF 보기 프로그램에서 인쇄하세요.",
		"The PDF is open in your PDF viewer; print it from there.",
	}
	txtPDFName = text{"발급증-%s.pdf", "receipt-%s.pdf"}

	txtDeleteTitle   = text{"발급증 삭제", "Delete the receipt"}
	txtDeleteConfirm = text{
		"발급번호 %s 발급증을 이 컴퓨터의 문서지갑에서 지웁니다. 되돌릴 수 없습니다.\n확인서 자체는 발급시스템에 남아 있어 제출기관은 계속 조회할 수 있습니다.",
		"Receipt %s will be removed from the wallet on this computer. This cannot be undone.\nThe confirmation itself stays in the issuance system, and the institution can still look it up.",
	}
	txtDeleteButton = text{"삭제", "Delete"}
	txtDeleted      = text{"발급증 %s을(를) 지웠습니다.", "Receipt %s was deleted."}

	txtExportTitle  = text{"내보내기", "Export"}
	txtExportChoose = text{
		"발급증을 파일 하나(.bonsign)로 내보내거나 폴더에 내보냅니다. 다른 컴퓨터의 bonsign에서 가져올 수 있고, 누구나 발급시스템의 인증서로 진본인지 확인할 수 있습니다. 내보낸 발급증에는 주민등록번호 뒷자리가 없습니다.",
		"Export the receipts as one file (.bonsign) or into a folder. bonsign on another computer can import them, and anyone can check them against the issuance system's certificate. Exported receipts do not contain the back digits of your resident registration number.",
	}
	txtAsFile     = text{"파일로…", "As a file…"}
	txtAsFolder   = text{"폴더로…", "Into a folder…"}
	txtExported   = text{"발급증 %d건을 내보냈습니다.", "Exported %d receipts."}
	txtExportName = text{"발급증-%s.bonsign", "receipts-%s.bonsign"}

	txtImportTitle  = text{"가져오기", "Import"}
	txtImportChoose = text{
		"내보낸 발급증 파일(.bonsign)이나 폴더를 고르세요. 가져오기 전에 발급증마다 진본인지 확인하며, 확인되지 않은 발급증은 가져오지 않습니다.",
		"Choose an exported receipt file (.bonsign) or folder. Each receipt is checked before it is imported; receipts that are not genuine are left out.",
	}
	txtFromFile     = text{"파일에서…", "From a file…"}
	txtFromFolder   = text{"폴더에서…", "From a folder…"}
	txtImportDone   = text{"새로 가져온 발급증 %d건, 이미 있던 발급증 %d건.", "Imported %d new receipts; %d were already in the wallet."}
	txtImportLeft   = text{"가져오지 않은 발급증 %d건:", "%d receipts were left out:"}
	txtImportUnsafe = text{
		"이 파일이나 폴더에는 문서지갑 밖을 가리키는 이름이나 바로가기가 들어 있어 아무것도 가져오지 않았습니다.",
		"Nothing was imported: the file or folder contains names or links that point outside the wallet.",
	}
	txtImportNotArchive = text{
		"bonsign 발급증 파일(.bonsign)이 아니어서 가져오지 않았습니다.",
		"This is not a bonsign receipt file (.bonsign), so nothing was imported.",
	}

	// Why a receipt was not saved or imported.
	txtWhyAltered = text{
		"발급증의 내용이나 전자서명이 바뀌었습니다.",
		"The receipt's content or signature was changed.",
	}
	txtWhyForeign = text{
		"이 앱이 신뢰하는 발급시스템이 서명한 발급증이 아닙니다.",
		"The receipt was not signed by the issuance system this app trusts.",
	}
	txtWhyNotPinned = text{
		"이 컴퓨터가 아직 발급시스템의 인증서를 받지 않아 발급증을 확인할 수 없습니다.",
		"This computer has not received the issuance system's certificate yet, so the receipt cannot be checked.",
	}
	txtWhyDamaged = text{
		"발급증 파일이 손상되었거나 발급증이 아닙니다.",
		"The receipt file is damaged or is not a receipt.",
	}
	txtWhyUnsigned = text{
		"발급시스템의 전자서명이 없는 발급증입니다.",
		"The receipt carries no signature of the issuance system.",
	}
	txtWhyExists = text{
		"같은 발급번호의 다른 발급증이 이미 문서지갑에 있습니다.",
		"A different receipt with the same issue number is already in the wallet.",
	}
	txtWhyWrongConfirmation = text{
		"발급시스템이 돌려준 발급증이 방금 서명한 확인서의 것이 아닙니다. 발급번호를 적어 두고 발급시스템에 문의하세요.",
		"The receipt the issuance system returned is not for the confirmation you just signed. Write the issue number down and ask the issuance system.",
	}
	txtWhyMissing = text{"발급증 파일이 빠져 있습니다.", "A receipt file is missing."}

	txtSavedVerified = text{
		"발급시스템의 전자서명을 확인했습니다: 진본입니다.",
		"The issuance system's signature was checked: the receipt is genuine.",
	}

	txtTechDetails     = text{"기술 정보", "Technical details"}
	txtCertFingerprint = text{"발급시스템 인증서 지문 (SHA-256)", "Issuance system certificate fingerprint (SHA-256)"}
	txtWalletFolder    = text{"보관 위치", "Stored in"}
	txtVerifyHow       = text{
		"표준 도구로 확인하려면: openssl cms -verify -binary -inform DER -in receipt.p7s -content receipt.json -CAfile receipt-cert.pem -purpose any",
		"To check it with standard tools: openssl cms -verify -binary -inform DER -in receipt.p7s -content receipt.json -CAfile receipt-cert.pem -purpose any",
	}
)
