package api

// Request and response bodies of the /v1 API. docs/api.md describes each
// endpoint; the JSON names here are the contract.

// LoginContent is the exact content the client signs to log in: the server's
// nonce bound to the purpose, so a login signature cannot be mistaken for a
// signed confirmation.
func LoginContent(nonce string) []byte {
	return []byte("bonsign-login:" + nonce)
}

// ChallengeResponse answers POST /v1/login/challenge.
type ChallengeResponse struct {
	Nonce     string `json:"nonce"`
	ExpiresAt string `json:"expires_at"`
}

// LoginRequest is the body of POST /v1/login: the nonce and a CMS SignedData
// (DER) whose encapsulated content is LoginContent(nonce) and which carries the
// signer's certificate.
//
// For a Korean NPKI certificate, which carries a VID instead of being
// registered at approval, the client also sends RandomNum, the random number R
// kept in the certificate's private key, and, unless it logs in after
// POST /v1/login/password, the citizen's RRN: the server recomputes the VID
// from the approved number and R. Both are as secret as the number itself:
// only over TLS; the server neither logs nor stores them.
type LoginRequest struct {
	Nonce     string `json:"nonce"`
	Signature []byte `json:"signature"`
	RRN       string `json:"rrn,omitempty"`
	RandomNum []byte `json:"random_num,omitempty"`
}

// LoginResponse answers POST /v1/login.
type LoginResponse struct {
	Token          string `json:"token"`
	ExpiresAt      string `json:"expires_at"`
	Name           string `json:"name"`
	MaskedRRN      string `json:"masked_rrn"`
	IdentityMethod string `json:"identity_method"` // "mobile", "landline" or "token"
	Phone          string `json:"phone"`           // masked, e.g. "010-****-5678"
	ApprovalUntil  string `json:"approval_until"`

	// RenewableFrom is when the approval's renewal window opens (30 days
	// before ApprovalUntil): from then on the app reminds the citizen.
	RenewableFrom string `json:"renewable_from,omitempty"`
	// IdleTimeoutSeconds: a session unused this long ends before ExpiresAt.
	IdleTimeoutSeconds int `json:"idle_timeout_seconds,omitempty"`
	// PasswordChangeRequired: the initial password handed over at approval
	// has not been changed yet (POST /v1/password).
	PasswordChangeRequired bool `json:"password_change_required,omitempty"`
	// Channels are the phone channels the citizen may choose for the code
	// ("sms", "voice"), the default first; empty for a security token.
	Channels []string `json:"channels,omitempty"`
	// GuardianConsent is the consent recorded at approval for a minor or a
	// person under limited guardianship (R4), to be shown on the
	// confirmations the citizen issues.
	GuardianConsent *GuardianConsent `json:"guardian_consent,omitempty"`
}

// GuardianConsent is a legal representative's or limited guardian's consent
// (R4) as recorded at approval. It holds no full resident registration number.
type GuardianConsent struct {
	Kind       string `json:"kind"` // "legal_representative" (법정대리인) or "limited_guardian" (한정후견인)
	Name       string `json:"name"`
	Relation   string `json:"relation"`
	MaskedRRN  string `json:"masked_rrn"` // e.g. "700101-2******"
	Document   string `json:"document"`   // the proof document shown at the office
	RecordedAt string `json:"recorded_at"`
}

// PasswordLoginRequest is the body of POST /v1/login/password, the first step
// of the ID/password login; the certificate (POST /v1/login) follows.
type PasswordLoginRequest struct {
	LoginID  string `json:"login_id"`
	Password string `json:"password"`
}

// PasswordLoginResponse answers POST /v1/login/password: a session that may
// only change the password and finish the login with the certificate.
type PasswordLoginResponse struct {
	Token                  string `json:"token"`
	ExpiresAt              string `json:"expires_at"`
	PasswordChangeRequired bool   `json:"password_change_required"`
	Next                   string `json:"next"` // "change_password" or "certificate"
}

// ChangePasswordRequest is the body of POST /v1/password.
type ChangePasswordRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// CodeRequest is the optional body of POST /v1/identity/code: the channel the
// citizen wants, "" for their default.
type CodeRequest struct {
	Channel string `json:"channel,omitempty"`
}

// IdentityContent is the exact content a citizen with a security token signs,
// with the token's certificate, for the extra identity check: a login
// signature cannot be mistaken for it.
func IdentityContent(nonce string) []byte {
	return []byte("bonsign-identity:" + nonce)
}

// TokenCheckRequest is the body of POST /v1/identity/token: a nonce from
// POST /v1/login/challenge and a CMS SignedData (DER) over
// IdentityContent(nonce) made with the security token's certificate.
type TokenCheckRequest struct {
	Nonce     string `json:"nonce"`
	Signature []byte `json:"signature"`
}

// CodeResponse answers POST /v1/identity/code: where the code went and until
// when it is valid.
type CodeResponse struct {
	Channel   string `json:"channel"` // "sms" or "voice"
	Phone     string `json:"phone"`   // masked
	ExpiresAt string `json:"expires_at"`
	// ResendAfter is when another code may be asked for (rate limit).
	ResendAfter string `json:"resend_after,omitempty"`
}

// VerifyCodeRequest is the body of POST /v1/identity/verify.
type VerifyCodeRequest struct {
	Code string `json:"code"`
}

// IssueRequest is the body of POST /v1/confirmations: the draft and the CMS
// SignedData (DER) whose content is the draft's canonical JSON.
type IssueRequest struct {
	Confirmation Confirmation `json:"confirmation"`
	Signature    []byte       `json:"signature"`
}

// Receipt is the receipt (발급증, R9). It proves nothing by itself; it tells
// the institution which confirmation to look up.
type Receipt struct {
	IssueNumber string      `json:"issue_number"`
	IssuedAt    string      `json:"issued_at"`
	Name        string      `json:"name"`
	MaskedRRN   string      `json:"masked_rrn"`
	Purpose     string      `json:"purpose"`
	Institution Institution `json:"institution"`
	Delegate    string      `json:"delegate,omitempty"` // the delegate's name, if any
	Digest      string      `json:"digest"`             // SHA-256 of the citizen's CMS, hex
}

// Canonical is the RFC 8785 form of r: the exact bytes the server signs.
func (r *Receipt) Canonical() ([]byte, error) { return Canonical(r) }

// IssueResponse answers POST /v1/confirmations: the receipt and the server's
// detached CMS signature (DER) over its canonical JSON.
type IssueResponse struct {
	Receipt          Receipt `json:"receipt"`
	ReceiptSignature []byte  `json:"receipt_signature"`
	// HistoryToken reads who looked this confirmation up (GET /v1/lookups),
	// without logging in. It is a secret of the citizen's, shown to no one
	// and printed nowhere: the server keeps only its hash, so it is sent this
	// once (a retried issuance gets a new one; the earlier ones keep working).
	HistoryToken string `json:"history_token,omitempty"`
}

// ReceiptCertificateResponse answers GET /v1/receipt-certificate: the
// certificate (DER) whose key signs receipts, for clients to pin.
type ReceiptCertificateResponse struct {
	Certificate []byte `json:"certificate"`
}

// InstitutionsResponse answers GET /v1/institutions.
type InstitutionsResponse struct {
	Institutions []Institution `json:"institutions"`
}

// VerifyRequest is the body of POST /v1/verify, made by an institution.
type VerifyRequest struct {
	IssueNumber string `json:"issue_number"`
	Name        string `json:"name"`
}

// VerifyResponse answers POST /v1/verify: the confirmation as the citizen signed
// it, its receipt and its status.
type VerifyResponse struct {
	Status           string       `json:"status"` // "issued"
	Receipt          Receipt      `json:"receipt"`
	ReceiptSignature []byte       `json:"receipt_signature"`
	Confirmation     Confirmation `json:"confirmation"`
	Signature        []byte       `json:"signature"`
}

// Results of an institution's lookup as the citizen sees them in
// LookupEntry.Result. The institution itself only ever learns whether it was
// found.
const (
	LookupFound            = "found"             // 확인: the institution saw the confirmation
	LookupWrongName        = "wrong_name"        // 성명 불일치: the right number with another name; refused
	LookupOtherInstitution = "other_institution" // 제출기관 아님: an institution it is not addressed to; refused
)

// Channels of a lookup.
const (
	LookupByConsole = "console" // an officer, in the verification console
	LookupByAPI     = "api"     // an institution's own system, with an API key
)

// LookupSystemLabel is LookupEntry.By for a lookup made by an institution's
// system through the API rather than by a named officer.
const LookupSystemLabel = "기관 시스템(API)"

// LookupEntry is one lookup of a confirmation by an institution (R10), as its
// citizen sees it.
type LookupEntry struct {
	At          string      `json:"at"` // RFC 3339, Korea Standard Time
	Institution Institution `json:"institution"`
	// By is the officer's name, or LookupSystemLabel.
	By      string `json:"by"`
	Channel string `json:"channel"` // LookupByConsole or LookupByAPI
	Result  string `json:"result"`  // LookupFound, LookupWrongName or LookupOtherInstitution
	// ResultKo is Result in Korean: "확인", "성명 불일치" or "제출기관 아님".
	ResultKo string `json:"result_ko"`
	// Message and MessageKo say it in a sentence, e.g. "국민연금공단이
	// 2026-11-25 14:03에 확인했습니다."
	Message   string `json:"message"`
	MessageKo string `json:"message_ko"`
}

// LookupHistoryResponse answers GET /v1/lookups: every lookup of one
// confirmation, newest first, refused ones included.
type LookupHistoryResponse struct {
	IssueNumber string        `json:"issue_number"`
	Lookups     []LookupEntry `json:"lookups"`
}
