package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/signer"
	"github.com/bonsign/bonsign/signer/npki"
	"github.com/bonsign/bonsign/signer/pkcs11token"
)

// lang is a language of the user interface.
type lang int

// The languages, Korean first: it is the default.
const (
	korean lang = iota
	english
)

// prefLanguage is the Preferences key that remembers the chosen language.
const prefLanguage = "language"

func langFromPreferences(p fyne.Preferences) lang {
	if p.String(prefLanguage) == "en" {
		return english
	}
	return korean
}

func (l lang) save(p fyne.Preferences) {
	code := "ko"
	if l == english {
		code = "en"
	}
	p.SetString(prefLanguage, code)
}

// text is one user-facing string in each language. Every string the app shows
// is a text in the catalogue below, so a missing translation cannot compile.
type text struct{ ko, en string }

func (l lang) t(x text) string {
	if l == english {
		return x.en
	}
	return x.ko
}

func (l lang) tf(x text, args ...any) string { return fmt.Sprintf(l.t(x), args...) }

// The catalogue: Korean, then English.
var (
	txtWindowTitle = text{"bonsign 전자본인서명확인서", "bonsign e-signature confirmation"}
	txtAppSubtitle = text{"전자본인서명확인서 발급", "Electronic personal-signature confirmation"}

	txtStepLogin   = text{"인증서 로그인", "Log in"}
	txtStepCode    = text{"본인확인", "Identity check"}
	txtStepDraft   = text{"작성", "Fill in"}
	txtStepSign    = text{"서명·제출", "Sign"}
	txtStepReceipt = text{"발급증", "Receipt"}

	txtBack   = text{"이전", "Back"}
	txtHome   = text{"처음으로", "Home"}
	txtCancel = text{"취소", "Cancel"}
	txtRetry  = text{"다시 시도", "Try again"}
	txtNone   = text{"없음", "None"}

	txtHomeTitle = text{"전자본인서명확인서", "Electronic personal-signature confirmation"}
	txtHomeIntro = text{
		"전자본인서명확인서는 인감증명서 대신 쓰는 문서입니다. 부동산이나 자동차를 팔 때, 대출이나 보조금을 신청할 때, 본인이 직접 인증서로 서명하여 그 거래를 하려는 뜻을 확인합니다. 서명은 이 컴퓨터에서 하며, 인증서의 개인키는 이 컴퓨터를 떠나지 않습니다.",
		"The electronic personal-signature confirmation replaces the registered-seal certificate (인감증명서). When you sell a house or a car, or apply for a loan or a subsidy, you confirm with your own certificate that you personally intend the transaction. You sign on this computer: your certificate's private key never leaves it.",
	}
	txtHomeStepsTitle = text{"발급 순서", "How it works"}
	txtHomeApproval   = text{
		"처음 이용하시는 분은 먼저 신분증을 가지고 가까운 읍·면·동 행정복지센터에서 발급시스템 이용 승인을 받아야 합니다. 승인은 2년 동안 유효합니다.",
		"Before the first use, visit any local community service centre (읍·면·동) with your ID to be approved for the issuance system. The approval is valid for two years.",
	}
	txtIssueButton  = text{"확인서 발급하기", "Issue a confirmation"}
	txtWalletButton = text{"문서지갑", "Document wallet"}
	txtWalletNote   = text{
		"문서지갑에 보관한 발급증은 로그인하지 않아도, 인터넷에 연결되지 않아도 볼 수 있습니다.",
		"Receipts in your document wallet can be viewed without logging in and without an internet connection.",
	}
	txtLanguage = text{"언어", "Language"}

	txtDemoTitle = text{"데모 모드", "Demo mode"}
	txtDemoIntro = text{
		"이 앱은 지금 이 컴퓨터 안에서 돌아가는 데모 발급 서버에 연결되어 있습니다. 실제 기관에는 아무것도 제출되지 않습니다. 아래의 가상 시민으로 해 보세요.",
		"The app is connected to a demo issuance server running on this computer. Nothing reaches a real institution. Try it as the fictional citizen below.",
	}
	txtDemoCert     = text{"인증서 파일", "Certificate file"}
	txtDemoPassword = text{"인증서 암호", "Certificate password"}
	txtDemoName     = text{"성명", "Name"}
	txtDemoRRN      = text{"주민등록번호", "Resident registration number"}
	txtDemoAddress  = text{"주소", "Address"}
	txtDemoCodeHint = text{
		"휴대전화 인증번호는 창 아래쪽 '데모 휴대전화 문자함'에 나타납니다.",
		"The phone code appears in the 'Demo phone inbox' at the bottom of the window.",
	}

	txtLoginTitle = text{"인증서 로그인", "Log in with your certificate"}
	txtLoginIntro = text{
		"발급시스템 이용 승인을 받은 본인의 인증서를 고르고 암호를 입력하세요.",
		"Choose the certificate you were approved with and type its password.",
	}
	txtCertPassword = text{"인증서 암호", "Certificate password"}
	txtLoginButton  = text{"로그인", "Log in"}
	txtLoggingIn    = text{"인증서를 열고 로그인하는 중입니다…", "Opening your certificate and logging in…"}
	txtNeedPassword = text{"인증서 암호를 입력해 주세요.", "Please type your certificate password."}

	txtCodeTitle      = text{"추가 본인확인", "Additional identity check"}
	txtCodeLoggedInAs = text{"%s 님, 로그인되었습니다.", "Logged in as %s."}
	txtCodeRequesting = text{"인증번호를 보내는 중입니다…", "Sending the code…"}
	txtCodeSentSMS    = text{
		"등록된 휴대전화 %s(으)로 인증번호 6자리를 문자메시지로 보냈습니다.",
		"A 6-digit code was sent by text message to your registered phone %s.",
	}
	txtCodeSentVoice = text{
		"등록된 전화 %s(으)로 전화를 걸어 인증번호 6자리를 알려 드립니다.",
		"A call to your registered phone %s reads out a 6-digit code.",
	}
	txtCodeLabel     = text{"인증번호 6자리", "6-digit code"}
	txtCodeConfirm   = text{"확인", "Confirm"}
	txtCodeResend    = text{"인증번호 다시 받기", "Send a new code"}
	txtCodeRemaining = text{"남은 시간 %d:%02d", "Time left %d:%02d"}
	txtCodeExpired   = text{
		"인증번호의 유효시간이 지났습니다. [인증번호 다시 받기]를 눌러 주세요.",
		"The code has expired. Press 'Send a new code'.",
	}
	txtCodeNeedSix   = text{"인증번호 6자리를 숫자로 입력해 주세요.", "Please type the 6 digits of the code."}
	txtCodeVerifying = text{"인증번호를 확인하는 중입니다…", "Checking the code…"}
	txtCodeResent    = text{"새 인증번호를 보냈습니다.", "A new code has been sent."}

	txtDraftTitle = text{"확인서 작성", "Fill in the confirmation"}
	txtDraftIntro = text{
		"확인서는 여기에 적은 용도로만 쓸 수 있습니다. 빠짐없이 정확하게 적어 주세요.",
		"The confirmation may be used only for the purpose written here. Please fill in every field exactly.",
	}
	txtSecCitizen         = text{"본인(신청인)", "You (the applicant)"}
	txtSecPurpose         = text{"용도", "Purpose"}
	txtSecCounterparty    = text{"거래상대방", "Counterparty"}
	txtSecDelegate        = text{"위임받은 사람", "Delegate"}
	txtSecInstitution     = text{"제출기관(수요기관)", "Recipient institution"}
	txtName               = text{"성명", "Name"}
	txtRRN                = text{"주민등록번호", "Resident registration number"}
	txtAddress            = text{"주소(주민등록상 주소)", "Registered address"}
	txtPurpose            = text{"용도", "Purpose"}
	txtPurposeLabel       = text{"이 확인서를 쓸 거래를 구체적으로 적어 주세요", "Describe the transaction this confirmation is for"}
	txtInstitutionLabel   = text{"확인서를 제출할 기관", "The institution you will submit it to"}
	txtCounterpartyName   = text{"성명 또는 상호", "Name or business name"}
	txtCounterpartyID     = text{"주민등록번호 또는 사업자등록번호", "Resident or business registration number"}
	txtCounterpartyAddr   = text{"주소", "Address"}
	txtRRNPlaceholder     = text{"예: 900101-1234567", "e.g. 900101-1234567"}
	txtIDPlaceholder      = text{"예: 900101-1234567 또는 123-45-67890", "e.g. 900101-1234567 or 123-45-67890"}
	txtPurposePlaceholder = text{"예: 부동산 매도 (○○시 ○○동 아파트 매매계약)", "e.g. sale of an apartment in ○○-dong, ○○ city"}
	txtHasDelegate        = text{"위임받은 사람 있음", "Someone acts for me (delegate)"}
	txtInstLoading        = text{"제출기관 목록을 불러오는 중…", "Loading the institutions…"}
	txtInstChoose         = text{"제출할 기관을 고르세요", "Choose the institution"}
	txtFillExample        = text{"예시 채우기", "Fill in an example"}
	txtNextReview         = text{"다음: 내용 확인", "Next: review"}
	txtExamplePurpose     = text{
		"부동산 매도: 서울특별시 종로구 예시로 12, 101동 1001호 아파트의 매매계약 및 소유권이전등기",
		"Sale of real estate: apartment 101-1001, 12 Yesi-ro, Jongno-gu, Seoul (sale contract and transfer of ownership)",
	}
	txtExampleCounterparty     = text{"(주)예시부동산", "Yesi Real Estate Co., Ltd."}
	txtExampleCounterpartyAddr = text{"서울특별시 중구 예시대로 34", "34 Yesi-daero, Jung-gu, Seoul"}
	txtFixFields               = text{
		"고쳐야 할 항목이 %d개 있습니다. 빨간 글씨를 확인해 주세요.",
		"%d fields need fixing: see the messages in red.",
	}

	txtSignTitle = text{"내용 확인 및 서명", "Review and sign"}
	txtSignIntro = text{
		"마지막으로 내용을 확인하세요. 서명하면 이 내용 그대로 발급시스템에 제출됩니다. 화면에서는 주민등록번호 뒷자리를 가려서 보여 드리지만, 서명하는 확인서에는 전체 번호가 들어갑니다.",
		"Read it one last time. Signing submits exactly this content. The screen hides most of each resident registration number; the signed confirmation contains the full numbers.",
	}
	txtSignPassword = text{"인증서 암호 (서명하려면 다시 입력하세요)", "Certificate password (type it again to sign)"}
	txtSignButton   = text{"서명하고 제출", "Sign and submit"}
	txtEdit         = text{"이전: 고치기", "Back: edit"}
	txtOpening      = text{"인증서를 여는 중입니다…", "Opening your certificate…"}
	txtSigning      = text{"확인서에 서명하는 중입니다…", "Signing the confirmation…"}
	txtSubmitting   = text{"발급시스템에 제출하는 중입니다…", "Submitting to the issuance system…"}
	txtSaving       = text{"문서지갑에 저장하는 중입니다…", "Saving to your document wallet…"}
	txtCreatedAt    = text{"작성 일시", "Written at"}
	txtInstitution  = text{"제출기관", "Recipient institution"}
	txtDelegate     = text{"위임받은 사람", "Delegate"}
	txtCounterparty = text{"거래상대방", "Counterparty"}

	txtReceiptTitle = text{"발급되었습니다", "Your confirmation has been issued"}
	txtReceiptKind  = text{"전자본인서명확인서 발급증", "Receipt of an electronic personal-signature confirmation"}
	txtIssueNumber  = text{"발급번호", "Issue number"}
	txtIssuedAt     = text{"발급 일시", "Issued at"}
	txtReceiptNote  = text{
		"발급증은 확인서가 발급되었음을 알려 줄 뿐, 그 자체로 법적 효력은 없습니다. 제출기관은 발급번호와 성명으로 확인서를 온라인으로 조회합니다. 확인서는 적은 용도로만 쓸 수 있습니다.",
		"The receipt only tells that a confirmation was issued; it has no legal effect by itself. The institution looks the confirmation up online with the issue number and your name. The confirmation may be used only for the purpose written in it.",
	}
	txtSaved    = text{"✓ 문서지갑에 저장했습니다.", "✓ Saved to your document wallet."}
	txtNotSaved = text{
		"문서지갑에 저장하지 못했습니다. 발급번호를 적어 두세요. %s",
		"Could not save to your document wallet. Please write the issue number down. %s",
	}
	txtOpenWallet = text{"문서지갑 보기", "Open the wallet"}

	txtWalletTitle = text{"문서지갑", "Document wallet"}
	txtWalletIntro = text{
		"이 컴퓨터에 보관한 발급증입니다. 인터넷에 연결되지 않아도 볼 수 있습니다.",
		"The receipts kept on this computer. They can be viewed without an internet connection.",
	}
	txtWalletEmpty   = text{"아직 보관한 발급증이 없습니다.", "There are no receipts in your wallet yet."}
	txtWalletLoading = text{"문서지갑을 읽는 중…", "Reading the wallet…"}
	txtWalletSelect  = text{"목록에서 발급증을 고르세요.", "Choose a receipt in the list."}
	txtWalletCount   = text{"발급증 %d건", "Receipts: %d"}
	txtDigest        = text{"서명 요약값 (SHA-256)", "Signature digest (SHA-256)"}

	txtOutboxTitle = text{"데모 휴대전화 문자함", "Demo phone inbox"}
	txtOutboxEmpty = text{"받은 문자가 없습니다.", "No messages yet."}

	txtErrWrongPassword = text{
		"인증서 암호가 맞지 않습니다. 확인하고 다시 입력해 주세요.",
		"The certificate password is not correct. Please check it and type it again.",
	}
	txtErrUnreachable = text{
		"발급 서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 잠시 후 다시 시도해 주세요.",
		"The issuance server cannot be reached. Please check your internet connection and try again in a moment.",
	}
	txtErrCertMissing = text{
		"인증서 파일을 찾을 수 없습니다. 파일 위치를 확인해 주세요.",
		"The certificate file cannot be found. Please check where it is.",
	}
	txtErrCertFile = text{
		"인증서 파일을 열 수 없습니다. 올바른 인증서 파일(.p12, .pfx)인지 확인해 주세요.",
		"The certificate file cannot be opened. Please check that it is a certificate file (.p12, .pfx).",
	}
	txtErrUnsupportedKey = text{
		"이 인증서의 키 종류로는 서명할 수 없습니다. 다른 인증서를 사용해 주세요.",
		"This certificate's key type cannot sign. Please use another certificate.",
	}
	txtErrCancelled = text{"취소했습니다.", "Cancelled."}
	txtErrTimeout   = text{
		"서버가 제때 응답하지 않았습니다. 잠시 후 다시 시도해 주세요.",
		"The server did not answer in time. Please try again in a moment.",
	}
	txtErrWallet = text{
		"문서지갑 폴더를 읽거나 쓸 수 없습니다.",
		"The document wallet's folder cannot be read or written.",
	}
	txtErrUnknown = text{
		"예기치 못한 문제가 생겼습니다. 다시 시도해 주시고, 계속되면 고객센터에 문의해 주세요.",
		"Something unexpected went wrong. Please try again, and contact the help desk if it keeps happening.",
	}
	txtErrDetail = text{"(자세한 내용: %s)", "(details: %s)"}
)

// errCertFile marks a certificate file that exists but could not be read as
// one (not a wrong password: that is signer.ErrWrongPassword).
var errCertFile = errors.New("certificate file cannot be read")

// errorText is the sentence a citizen reads for err. Server errors carry their
// own sentences in both languages; the errors the app knows get one from the
// catalogue; anything else gets fallback followed by the technical detail,
// never the detail alone.
func (l lang) errorText(err error, fallback text) string {
	var ae *api.Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ae):
		return l.apiErrorText(ae)
	case errors.Is(err, signer.ErrWrongPassword):
		return l.t(txtErrWrongPassword)
	case errors.Is(err, pkcs11token.ErrPINLocked):
		return l.t(txtErrPINLocked)
	case errors.Is(err, pkcs11token.ErrWrongPIN):
		return l.t(txtErrWrongPIN)
	case errors.Is(err, npki.ErrDamaged):
		return l.t(txtErrKeyDamaged)
	case errors.Is(err, npki.ErrKeyMismatch):
		return l.t(txtErrKeyMismatch)
	case errors.As(err, new(*npki.UnsupportedAlgorithmError)):
		return l.t(txtErrKeyAlgorithm) + " " + l.tf(txtErrDetail, err)
	case errors.Is(err, npki.ErrVIDMismatch):
		return l.t(txtErrNotYours)
	case errors.Is(err, context.Canceled):
		return l.t(txtErrCancelled)
	case errors.Is(err, client.ErrUnreachable):
		return l.t(txtErrUnreachable)
	case errors.Is(err, context.DeadlineExceeded):
		return l.t(txtErrTimeout)
	case errors.Is(err, fs.ErrNotExist):
		return l.t(txtErrCertMissing)
	case errors.Is(err, signer.ErrUnsupportedKey):
		return l.t(txtErrUnsupportedKey)
	case errors.Is(err, errCertFile):
		fallback = txtErrCertFile
	}
	return l.t(fallback) + " " + l.tf(txtErrDetail, err)
}

// apiErrorText is the server's own sentence in l, with each field's message
// on a line of its own.
func (l lang) apiErrorText(e *api.Error) string {
	msg := l.pick(e.MessageKo, e.Message)
	if msg == "" {
		std := api.NewError(e.Code)
		msg = l.pick(std.MessageKo, std.Message)
	}
	lines := []string{msg}
	for _, f := range e.Fields {
		lines = append(lines, "• "+l.pick(f.MessageKo, f.Message))
	}
	return strings.Join(lines, "\n")
}

// pick chooses between a Korean and an English string, falling back on the
// other when the chosen one is empty.
func (l lang) pick(ko, en string) string {
	if l == english && en != "" || ko == "" {
		return en
	}
	return ko
}

// dateTime shows an RFC 3339 time in Korea Standard Time, the zone the
// procedure speaks in, whatever the computer's zone.
func (l lang) dateTime(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	t = t.In(api.KST)
	if l == english {
		return t.Format("2 Jan 2006, 15:04:05") + " KST"
	}
	return t.Format("2006년 1월 2일 15:04:05") + " (한국 시간)"
}

// date is the day only of an RFC 3339 time, in Korea Standard Time.
func (l lang) date(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.In(api.KST).Format("2006-01-02")
}
