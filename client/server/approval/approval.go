// Package approval holds the rules of the approval registry (R1-R4): what a
// clerk records when approving a citizen in person, how long an approval holds,
// when it may be renewed, and when a legal representative's or limited
// guardian's consent is required. It does no I/O: the issuance server stores
// approvals, the clerk console and the admin command show and change them,
// and all three speak the types of this package.
//
// Dates follow Korea Standard Time. An approval granted on a day expires at
// midnight (KST) at the start of the same calendar day ValidityYears later, so
// "2 years" means the approval date and the two years after it, whatever the
// hour of approval and whatever leap days lie between.
package approval

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bonsign/bonsign/api"
)

// Identity methods a citizen picks at approval for the extra online identity
// check (R3).
const (
	MethodToken    = "token"    // 보안토큰: a signature by the certificate on a hardware token
	MethodMobile   = "mobile"   // 휴대전화: a code by text or automated call
	MethodLandline = "landline" // 일반전화: a code by automated call (text where the line takes it)
)

// Channels a phone code travels by.
const (
	ChannelSMS   = "sms"
	ChannelVoice = "voice"
)

// Kinds of consent (R4).
const (
	ConsentLegalRepresentative = "legal_representative" // 법정대리인, for a minor
	ConsentLimitedGuardian     = "limited_guardian"     // 한정후견인, for a person under limited guardianship
)

// Defaults of the procedure.
const (
	// DefaultValidityYears is how long an approval holds (R1). Some offices
	// now use 4 years: the server takes it as a setting.
	DefaultValidityYears = 2
	// RenewalWindowDays is how many days before expiry a renewal is allowed (R2).
	RenewalWindowDays = 30
	// AgeOfMajority is the age from which no consent is needed (민법 제4조).
	AgeOfMajority = 19
)

// Errors the registry returns for what its callers act on.
var (
	ErrNotFound         = errors.New("approval: no approval for this citizen")
	ErrAlreadyApproved  = errors.New("approval: the citizen already has an approval in force")
	ErrRevoked          = errors.New("approval: the approval was revoked")
	ErrExpired          = errors.New("approval: the approval has expired: a new in-person approval is needed")
	ErrConsentRequired  = errors.New("approval: a minor or a person under limited guardianship needs the consent of their legal representative or limited guardian")
	ErrCertificateTaken = errors.New("approval: the certificate is registered to another citizen")
	ErrLoginIDTaken     = errors.New("approval: the login ID is taken")
	ErrConflict         = errors.New("approval: the approval was changed at the same time by someone else: look it up again")
)

// Errors of the clerks' login.
var (
	ErrLoginFailed  = errors.New("approval: wrong login or password")
	ErrSessionEnded = errors.New("approval: the console session has ended")
)

// LockedError is returned for a login to an account locked after repeated
// wrong passwords.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return "approval: the account is locked until " + e.Until.In(api.KST).Format("2006-01-02 15:04")
}

// RenewalTooEarlyError is returned for a renewal before the window opens.
type RenewalTooEarlyError struct {
	Opens   time.Time // when renewal becomes possible
	Expires time.Time
}

func (e *RenewalTooEarlyError) Error() string {
	return fmt.Sprintf("approval: renewal is possible only in the %d days before expiry, from %s",
		RenewalWindowDays, e.Opens.In(api.KST).Format("2006-01-02"))
}

// InvalidError lists the fields of a request that are missing or wrong, with
// a message in English and Korean for each.
type InvalidError struct {
	Fields []api.FieldError
}

func (e *InvalidError) Error() string {
	if len(e.Fields) == 0 {
		return "approval: invalid request"
	}
	return "approval: " + e.Fields[0].Message
}

func (e *InvalidError) add(field, en, ko string) {
	e.Fields = append(e.Fields, api.FieldError{Field: field, Message: en, MessageKo: ko})
}

// orNil returns e when it lists a field, nil otherwise.
func (e *InvalidError) orNil() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Clerk is a member of staff at an office who approves citizens (승인권자 or
// their delegate). Login names them in the history.
type Clerk struct {
	ID     int64
	Login  string
	Name   string
	Office string
}

// Request is what a clerk records when approving a citizen in person.
type Request struct {
	Name    string
	RRN     string // YYMMDD-SBBBBBB; validated as api.ParseRRN does
	Address string // registered address (주민등록상 주소)
	Phone   string // for mobile and landline: the number the code goes to

	IdentityMethod string // MethodToken, MethodMobile or MethodLandline
	// Channel is the phone channel used when the citizen does not choose:
	// "" for the method's default (text for mobile, voice for landline).
	Channel string
	// TextCapable says a landline can receive text messages (mobile always can).
	TextCapable bool

	// Certificate is the certificate the citizen logs in with, bound at
	// approval. It may be nil for Korean NPKI certificates, which are bound
	// through their VID and the citizen's number instead, so that a renewed
	// NPKI certificate keeps working.
	Certificate *x509.Certificate
	// TokenCertificate is the certificate on the security token for
	// MethodToken; nil means Certificate.
	TokenCertificate *x509.Certificate
	// Intermediates are CA certificates between the certificates above and
	// the server's trust anchors, if the anchors do not include them.
	Intermediates []*x509.Certificate

	// LimitedGuardianship marks a person under limited guardianship
	// (피한정후견인), who needs their limited guardian's consent.
	LimitedGuardianship bool
	// Consent is the legal representative's or limited guardian's consent.
	Consent *ConsentRequest

	// LoginID is the ID for the ID/password login; "" draws one.
	LoginID string

	Office string
	Clerk  string // the clerk's login
}

// ConsentRequest is a consent as the clerk enters it.
type ConsentRequest struct {
	Kind     string // ConsentLegalRepresentative or ConsentLimitedGuardian
	Name     string
	Relation string // e.g. 부, 모, 후견인
	RRN      string // the representative's number from their ID: only its masked form is kept
	Document string // reference of the proof document shown (e.g. 가족관계증명서, 후견등기사항증명서, with its number)
}

// Empty reports whether nothing was entered.
func (c *ConsentRequest) Empty() bool {
	return trim(c.Kind) == "" && trim(c.Name) == "" && trim(c.Relation) == "" && trim(c.RRN) == "" && trim(c.Document) == ""
}

// Consent is a recorded consent (R4). It holds no full resident registration
// number.
type Consent struct {
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	Relation   string    `json:"relation"`
	MaskedRRN  string    `json:"masked_rrn"`
	Document   string    `json:"document"`
	RecordedAt time.Time `json:"recorded_at"`
	Clerk      string    `json:"clerk"`
	Office     string    `json:"office"`
}

// Granted is the result of an approval: what the clerk hands the citizen.
type Granted struct {
	ID              int64
	LoginID         string
	InitialPassword string // shown once, never stored in clear
	ApprovedAt      time.Time
	ExpiresAt       time.Time
	Reapproval      bool     // a lapsed (expired or revoked) approval was replaced
	Warnings        []string // e.g. the old check digit of the number does not hold
}

// Record is an approval as the registry shows it to a clerk.
type Record struct {
	ID        int64
	Name      string
	MaskedRRN string
	Address   string
	Phone     string // masked

	IdentityMethod string
	Channel        string
	TextCapable    bool

	CertFingerprint  string // "" when bound by VID only
	TokenFingerprint string

	LoginID            string
	PasswordMustChange bool
	PasswordLocked     bool

	LimitedGuardianship bool
	Minor               bool // on the date of the lookup
	Consent             *Consent

	Office       string
	Clerk        string
	ApprovedAt   time.Time
	ExpiresAt    time.Time
	RevokedAt    time.Time // zero when not revoked
	RevokeReason string

	History []HistoryEntry
}

// HistoryEntry is one change to an approval: who, when, what. Entries are
// never changed or removed.
type HistoryEntry struct {
	At     time.Time
	Actor  string // a clerk's login, "citizen", or "system"
	Office string
	Action string
	Detail string // what changed; never personal data in clear
}

// History actions.
const (
	ActionApprove        = "approve"
	ActionReapprove      = "reapprove"
	ActionRenew          = "renew"
	ActionRevoke         = "revoke"
	ActionConsent        = "consent"
	ActionPasswordReset  = "password_reset"
	ActionPasswordChange = "password_change"
)

// Status of an approval at a moment.
type Status string

// Statuses.
const (
	StatusValid     Status = "valid"     // in force, renewal not yet possible
	StatusRenewable Status = "renewable" // in force, in the renewal window
	StatusExpired   Status = "expired"
	StatusRevoked   Status = "revoked"
)

// Status is r's status at now.
func (r *Record) Status(now time.Time) Status {
	return StatusAt(r.ExpiresAt, r.RevokedAt, now)
}

// RenewableFrom is when r's renewal window opens.
func (r *Record) RenewableFrom() time.Time { return RenewalOpens(r.ExpiresAt) }

// StatusAt is the status of an approval expiring at expires and revoked at
// revoked (zero if not) at now.
func StatusAt(expires, revoked, now time.Time) Status {
	switch {
	case !revoked.IsZero() && !now.Before(revoked):
		return StatusRevoked
	case !now.Before(expires):
		return StatusExpired
	case !now.Before(RenewalOpens(expires)):
		return StatusRenewable
	}
	return StatusValid
}

// Expiry is when an approval (or renewal) counted from "from" ends: midnight
// KST at the start of the same calendar day years later. A start on 29
// February ends on 1 March of a common year, as time.AddDate normalises.
func Expiry(from time.Time, years int) time.Time {
	d := from.In(api.KST)
	return time.Date(d.Year()+years, d.Month(), d.Day(), 0, 0, 0, 0, api.KST)
}

// RenewalOpens is the first instant at which an approval expiring at expires
// may be renewed: RenewalWindowDays before it.
func RenewalOpens(expires time.Time) time.Time {
	return expires.In(api.KST).AddDate(0, 0, -RenewalWindowDays)
}

// CheckRenewal says whether an approval expiring at expires (revoked at
// revoked, or zero) may be renewed at now (R2): only inside the window, and
// never once it has expired or been revoked.
func CheckRenewal(expires, revoked, now time.Time) error {
	switch StatusAt(expires, revoked, now) {
	case StatusRevoked:
		return ErrRevoked
	case StatusExpired:
		return ErrExpired
	case StatusValid:
		return &RenewalTooEarlyError{Opens: RenewalOpens(expires), Expires: expires}
	}
	return nil
}

// AdultFrom is the instant the holder of rrn reaches the age of majority:
// midnight KST at the start of their 19th birthday (the day of birth counts,
// 민법 제158조). Someone born on 29 February comes of age on 1 March in a
// common year (민법 제160조 제3항).
func AdultFrom(rrn api.RRN) (time.Time, error) {
	birth, err := rrn.BirthDate()
	if err != nil {
		return time.Time{}, err
	}
	return birth.AddDate(AgeOfMajority, 0, 0), nil
}

// IsMinor reports whether the holder of rrn is under 19 at now.
func IsMinor(rrn api.RRN, now time.Time) (bool, error) {
	adult, err := AdultFrom(rrn)
	if err != nil {
		return false, err
	}
	return now.Before(adult), nil
}

// RequiredConsent says which consent an approval of rrn at now needs: "" for
// none, ConsentLegalRepresentative for a minor, ConsentLimitedGuardian for a
// person under limited guardianship.
func RequiredConsent(rrn api.RRN, limited bool, now time.Time) (string, error) {
	minor, err := IsMinor(rrn, now)
	if err != nil {
		return "", err
	}
	switch {
	case minor:
		return ConsentLegalRepresentative, nil
	case limited:
		return ConsentLimitedGuardian, nil
	}
	return "", nil
}

// CheckConsent returns ErrConsentRequired when the holder of rrn needs a
// consent at now and c is nil, and an error when c is of the wrong kind.
func CheckConsent(rrn api.RRN, limited bool, c *Consent, now time.Time) error {
	need, err := RequiredConsent(rrn, limited, now)
	if err != nil || need == "" {
		return err
	}
	if c == nil {
		return ErrConsentRequired
	}
	if c.Kind != need {
		if need == ConsentLimitedGuardian {
			return fmt.Errorf("%w: the limited guardian must consent", ErrConsentRequired)
		}
		return fmt.Errorf("%w: a minor's legal representative must consent", ErrConsentRequired)
	}
	return nil
}

// CheckNewConsent is CheckConsent for a consent being recorded now, which is
// also refused when nobody needs it: consent is recorded only for minors and
// persons under limited guardianship.
func CheckNewConsent(rrn api.RRN, limited bool, c *Consent, now time.Time) error {
	need, err := RequiredConsent(rrn, limited, now)
	if err != nil {
		return err
	}
	if need == "" && c != nil {
		e := &InvalidError{}
		e.add("consent.kind", "Consent is recorded only for minors and persons under limited guardianship.",
			"법정대리인·한정후견인 동의는 미성년자와 피한정후견인에게만 기록합니다.")
		return e
	}
	return CheckConsent(rrn, limited, c, now)
}

// Validate checks a consent request and returns the consent to record, with
// the representative's number masked.
func (c *ConsentRequest) Validate(by Clerk, now time.Time) (*Consent, error) {
	e := &InvalidError{}
	switch c.Kind {
	case ConsentLegalRepresentative, ConsentLimitedGuardian:
	default:
		e.add("consent.kind", "Consent: choose legal representative or limited guardian.", "동의: 법정대리인 또는 한정후견인을 고르세요.")
	}
	if !present(c.Name, api.MaxNameLen) {
		e.add("consent.name", "Consent: the representative's name is required.", "동의: 법정대리인(한정후견인) 성명을 입력하세요.")
	}
	if !present(c.Relation, 30) {
		e.add("consent.relation", "Consent: the relation is required (e.g. father, mother, guardian).", "동의: 관계를 입력하세요 (예: 부, 모, 후견인).")
	}
	rrn, err := api.ParseRRN(c.RRN)
	if err != nil {
		e.add("consent.rrn", "Consent: the representative's resident registration number is not valid.", "동의: 법정대리인(한정후견인)의 주민등록번호가 올바르지 않습니다.")
	}
	if !present(c.Document, 200) {
		e.add("consent.document", "Consent: the reference of the proof document shown is required.", "동의: 제출받은 증명서류(예: 가족관계증명서, 후견등기사항증명서)와 그 번호를 입력하세요.")
	}
	if err := e.orNil(); err != nil {
		return nil, err
	}
	return &Consent{
		Kind: c.Kind, Name: trim(c.Name), Relation: trim(c.Relation), MaskedRRN: rrn.Masked(),
		Document: trim(c.Document), RecordedAt: now, Clerk: by.Login, Office: by.Office,
	}, nil
}

// Normalized is a checked copy of the request: the number parsed, texts
// trimmed, the channel defaulted. Warnings say what the clerk should look at
// again without refusing (the old check digit).
func (r *Request) Normalized() (Request, api.RRN, []string, error) {
	n := *r
	n.Name, n.Address, n.Phone, n.LoginID = trim(r.Name), trim(r.Address), trim(r.Phone), trim(r.LoginID)
	n.Office, n.Clerk = trim(r.Office), trim(r.Clerk)
	e := &InvalidError{}
	if !present(n.Name, api.MaxNameLen) {
		e.add("name", "Name: required, at most 50 characters.", "성명: 반드시 입력해야 합니다 (50자 이내).")
	}
	rrn, err := api.ParseRRN(r.RRN)
	var warnings []string
	switch {
	case errors.Is(err, api.ErrRRNDate):
		e.add("rrn", "Resident registration number: the birth date is impossible.", "주민등록번호: 생년월일이 올바르지 않습니다.")
	case err != nil:
		e.add("rrn", "Resident registration number: 13 digits, YYMMDD-SBBBBBB.", "주민등록번호: 13자리 숫자(YYMMDD-SBBBBBB)로 입력하세요.")
	case !rrn.ChecksumOK():
		warnings = append(warnings, "주민등록번호의 검증번호가 맞지 않습니다. 2020년 10월 이후 발급된 번호와 외국인등록번호는 정상일 수 있으니 신분증과 다시 대조하세요. (The old check digit does not hold: compare with the ID card.)")
	}
	if !present(n.Address, api.MaxAddressLen) {
		e.add("address", "Registered address: required.", "주민등록상 주소: 반드시 입력해야 합니다.")
	}
	switch n.IdentityMethod {
	case MethodMobile:
		if n.Channel == "" {
			n.Channel = ChannelSMS
		}
		n.TextCapable = true
	case MethodLandline:
		if n.Channel == "" {
			n.Channel = ChannelVoice
		}
	case MethodToken:
		if n.Channel == "" {
			n.Channel = ChannelSMS
		}
		if n.TokenCertificate == nil {
			n.TokenCertificate = n.Certificate
		}
		if n.TokenCertificate == nil {
			e.add("token_certificate", "Security token: upload the certificate on the token.", "보안토큰: 보안토큰에 저장된 인증서를 올려 주세요.")
		}
	default:
		e.add("identity_method", "Extra identity check: choose security token, mobile or landline.", "추가 본인확인 방법: 보안토큰, 휴대전화, 일반전화 중 하나를 고르세요.")
	}
	if n.IdentityMethod == MethodMobile || n.IdentityMethod == MethodLandline {
		if !validPhone(n.Phone) {
			e.add("phone", "Phone: a number such as 010-1234-5678 or 02-123-4567.", "전화번호: 010-1234-5678, 02-123-4567 같은 형식으로 입력하세요.")
		}
	} else if n.Phone != "" && !validPhone(n.Phone) {
		e.add("phone", "Phone: a number such as 010-1234-5678 or 02-123-4567.", "전화번호: 010-1234-5678, 02-123-4567 같은 형식으로 입력하세요.")
	}
	switch n.Channel {
	case ChannelSMS:
		if n.IdentityMethod == MethodLandline && !n.TextCapable {
			e.add("channel", "Channel: this landline cannot receive text messages.", "수신 방법: 문자를 받을 수 없는 일반전화입니다.")
		}
	case ChannelVoice:
	default:
		e.add("channel", "Channel: text or voice call.", "수신 방법: 문자 또는 음성전화를 고르세요.")
	}
	if n.LoginID != "" && !ValidLoginID(n.LoginID) {
		e.add("login_id", "Login ID: 4 to 32 lower-case letters, digits, '.', '_' or '-', starting with a letter.", "로그인 ID: 영문 소문자로 시작하는 4~32자의 영문 소문자, 숫자, '.', '_', '-'로 정하세요.")
	}
	if n.Office == "" || n.Clerk == "" {
		e.add("office", "Office and clerk are required.", "승인 기관과 담당자가 필요합니다.")
	}
	return n, rrn, warnings, e.orNil()
}

// ValidLoginID reports whether id may be a citizen's login ID.
func ValidLoginID(id string) bool {
	if len(id) < 4 || len(id) > 32 || id[0] < 'a' || id[0] > 'z' {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validPhone accepts Korean numbers: digits with optional hyphens, 9 to 11
// digits, starting with 0.
func validPhone(p string) bool {
	digits := 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '-' && i > 0 && i < len(p)-1 && p[i-1] != '-':
		default:
			return false
		}
	}
	return digits >= 9 && digits <= 11 && p[0] == '0'
}

// MethodLabel is the Korean and English name of an identity method.
func MethodLabel(m string) (ko, en string) {
	switch m {
	case MethodToken:
		return "보안토큰", "security token"
	case MethodMobile:
		return "휴대전화", "mobile phone"
	case MethodLandline:
		return "일반전화", "landline"
	}
	return m, m
}

func trim(s string) string { return strings.TrimSpace(s) }

// present reports whether s holds text of at most max characters.
func present(s string, max int) bool {
	s = trim(s)
	return s != "" && utf8.RuneCountInString(s) <= max
}
