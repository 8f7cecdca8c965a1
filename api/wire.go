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
type LoginRequest struct {
	Nonce     string `json:"nonce"`
	Signature []byte `json:"signature"`
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
}

// CodeResponse answers POST /v1/identity/code: where the code went and until
// when it is valid.
type CodeResponse struct {
	Channel   string `json:"channel"` // "sms" or "voice"
	Phone     string `json:"phone"`   // masked
	ExpiresAt string `json:"expires_at"`
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
