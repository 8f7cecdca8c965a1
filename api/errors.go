package api

import (
	"fmt"
	"net/http"
)

// Code is a stable, machine-readable error code. Codes never change meaning once
// published; docs/api.md lists them all.
type Code string

// The error codes of the /v1 API.
const (
	CodeBadRequest         Code = "bad_request"
	CodeBodyTooLarge       Code = "body_too_large"
	CodeInvalidField       Code = "invalid_field"
	CodeUnauthenticated    Code = "unauthenticated"
	CodeChallengeInvalid   Code = "challenge_invalid"
	CodeSignatureInvalid   Code = "signature_invalid"
	CodeCertUntrusted      Code = "certificate_untrusted"
	CodeCertExpired        Code = "certificate_expired"
	CodeNotApproved        Code = "not_approved"
	CodeApprovalExpired    Code = "approval_expired"
	CodeIdentityRequired   Code = "identity_check_required"
	CodeCodeInvalid        Code = "code_invalid"
	CodeCodeExpired        Code = "code_expired"
	CodeTooManyAttempts    Code = "too_many_attempts"
	CodeContentMismatch    Code = "content_mismatch"
	CodeSignerMismatch     Code = "signer_mismatch"
	CodeCitizenMismatch    Code = "citizen_mismatch"
	CodeUnknownInstitution Code = "unknown_institution"
	CodeNotFound           Code = "not_found"
	CodeConflict           Code = "confirmation_id_reused"
	CodeForbidden          Code = "forbidden"
	CodeRateLimited        Code = "rate_limited"
	CodeInternal           Code = "internal"

	// Codes of the approval registry, the ID/password login, certificate
	// revocation and binding, and the extra identity check.
	CodeApprovalRevoked        Code = "approval_revoked"
	CodeCertRevoked            Code = "certificate_revoked"
	CodeRevocationUnavailable  Code = "revocation_unavailable"
	CodeCertMismatch           Code = "certificate_mismatch"
	CodeLoginFailed            Code = "login_failed"
	CodeAccountLocked          Code = "account_locked"
	CodePasswordChangeRequired Code = "password_change_required"
	CodeLoginIncomplete        Code = "login_incomplete"
	CodeIdentityMethodMismatch Code = "identity_method_mismatch"

	// Codes of the institution side.
	CodeLookupLocked Code = "lookup_locked"
)

type codeInfo struct {
	status int
	en, ko string
}

// codes is the one place where every code gets its HTTP status and its sentence
// for a citizen, in English and Korean.
var codes = map[Code]codeInfo{
	CodeBadRequest:         {http.StatusBadRequest, "The request could not be read.", "요청을 읽을 수 없습니다."},
	CodeBodyTooLarge:       {http.StatusRequestEntityTooLarge, "The request is too large.", "요청이 너무 큽니다."},
	CodeInvalidField:       {http.StatusUnprocessableEntity, "Some fields are missing or wrong.", "입력하신 내용 중 빠졌거나 잘못된 항목이 있습니다."},
	CodeUnauthenticated:    {http.StatusUnauthorized, "Please log in again.", "다시 로그인해 주세요."},
	CodeChallengeInvalid:   {http.StatusUnauthorized, "The login request has expired or was already used. Please try again.", "로그인 요청이 만료되었거나 이미 사용되었습니다. 다시 시도해 주세요."},
	CodeSignatureInvalid:   {http.StatusBadRequest, "The electronic signature is not valid.", "전자서명이 올바르지 않습니다."},
	CodeCertUntrusted:      {http.StatusForbidden, "The certificate was not issued by a recognised certificate authority.", "인정된 인증기관이 발급한 인증서가 아닙니다."},
	CodeCertExpired:        {http.StatusForbidden, "The certificate has expired or is not yet valid.", "인증서의 유효기간이 지났거나 아직 시작되지 않았습니다."},
	CodeNotApproved:        {http.StatusForbidden, "You are not approved to use the issuance system. Please visit a local community service centre with your ID.", "발급시스템 이용 승인을 받지 않았습니다. 신분증을 가지고 가까운 읍·면·동 행정복지센터를 방문해 주세요."},
	CodeApprovalExpired:    {http.StatusForbidden, "Your approval has expired. Please visit a local community service centre to be approved again.", "이용 승인의 유효기간이 지났습니다. 읍·면·동 행정복지센터에서 다시 승인을 받아 주세요."},
	CodeIdentityRequired:   {http.StatusForbidden, "Please complete the additional identity check first.", "추가 본인확인을 먼저 마쳐 주세요."},
	CodeCodeInvalid:        {http.StatusUnauthorized, "The verification code is not correct.", "인증번호가 맞지 않습니다."},
	CodeCodeExpired:        {http.StatusUnauthorized, "The verification code has expired. Please request a new one.", "인증번호의 유효시간이 지났습니다. 인증번호를 다시 받아 주세요."},
	CodeTooManyAttempts:    {http.StatusTooManyRequests, "Too many wrong attempts. Please request a new code.", "잘못 입력한 횟수가 너무 많습니다. 인증번호를 다시 받아 주세요."},
	CodeContentMismatch:    {http.StatusBadRequest, "The signed content does not match the submitted confirmation.", "서명한 내용과 제출한 확인서 내용이 다릅니다."},
	CodeSignerMismatch:     {http.StatusForbidden, "The confirmation was signed with a certificate other than the one you logged in with.", "로그인한 인증서가 아닌 다른 인증서로 서명되었습니다."},
	CodeCitizenMismatch:    {http.StatusForbidden, "The name or resident registration number is not that of the approved citizen.", "성명 또는 주민등록번호가 승인받은 본인의 것과 다릅니다."},
	CodeUnknownInstitution: {http.StatusUnprocessableEntity, "The institution is not one that may receive a confirmation.", "전자본인서명확인서를 제출할 수 있는 기관이 아닙니다."},
	CodeNotFound:           {http.StatusNotFound, "No confirmation matches this issue number and name.", "발급번호와 성명에 맞는 확인서가 없습니다."},
	CodeConflict:           {http.StatusConflict, "A different confirmation was already issued under this confirmation ID. Please write it again.", "같은 식별번호로 다른 내용의 확인서가 이미 발급되었습니다. 확인서를 다시 작성해 주세요."},
	CodeForbidden:          {http.StatusForbidden, "You are not allowed to do this.", "이 작업을 할 권한이 없습니다."},
	CodeRateLimited:        {http.StatusTooManyRequests, "Too many requests. Please wait a moment and try again.", "요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."},
	CodeInternal:           {http.StatusInternalServerError, "Something went wrong on the server. Please try again later.", "서버에 문제가 생겼습니다. 잠시 후 다시 시도해 주세요."},

	CodeApprovalRevoked:        {http.StatusForbidden, "Your approval to use the issuance system was revoked. Please visit a local community service centre with your ID.", "발급시스템 이용 승인이 취소되었습니다. 신분증을 가지고 읍·면·동 행정복지센터를 방문해 주세요."},
	CodeCertRevoked:            {http.StatusForbidden, "The certificate has been revoked by its certificate authority.", "인증기관이 폐지(효력정지)한 인증서입니다."},
	CodeRevocationUnavailable:  {http.StatusServiceUnavailable, "Whether the certificate was revoked cannot be checked right now. Please try again later.", "지금은 인증서의 폐지 여부를 확인할 수 없습니다. 잠시 후 다시 시도해 주세요."},
	CodeCertMismatch:           {http.StatusForbidden, "This certificate does not belong to the approved citizen, or is not the one registered at approval.", "이 인증서는 승인받은 본인의 인증서가 아니거나, 승인 때 등록한 인증서가 아닙니다."},
	CodeLoginFailed:            {http.StatusUnauthorized, "The ID or the password is not correct.", "아이디 또는 비밀번호가 맞지 않습니다."},
	CodeAccountLocked:          {http.StatusTooManyRequests, "Too many wrong passwords: login is blocked for a while. Please try again later.", "비밀번호를 여러 번 잘못 입력하여 잠시 로그인할 수 없습니다. 나중에 다시 시도해 주세요."},
	CodePasswordChangeRequired: {http.StatusForbidden, "Please change the initial password first.", "초기 비밀번호를 먼저 변경해 주세요."},
	CodeLoginIncomplete:        {http.StatusForbidden, "Please finish logging in with your certificate first.", "인증서 로그인을 먼저 마쳐 주세요."},
	CodeIdentityMethodMismatch: {http.StatusConflict, "This is not the additional identity check chosen at your approval.", "승인 때 선택한 추가 본인확인 방법이 아닙니다."},

	CodeLookupLocked: {http.StatusTooManyRequests, "Too many lookups found nothing: lookups with this account or key are blocked for a while. Please try again later.", "일치하는 확인서가 없는 조회가 너무 많아 이 계정(키)의 조회가 잠시 차단되었습니다. 나중에 다시 시도해 주세요."},
}

// Codes returns every defined code, for documentation and tests.
func Codes() []Code {
	out := make([]Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// Error is the body of every failed API response, and the error the client
// returns for it. Message is English, MessageKo Korean; Fields names each field
// that failed validation.
type Error struct {
	Code      Code         `json:"code"`
	Message   string       `json:"message"`
	MessageKo string       `json:"message_ko"`
	Detail    string       `json:"detail,omitempty"` // what exactly was wrong, for developers (English)
	Fields    []FieldError `json:"fields,omitempty"`
}

// ErrorBody wraps an Error on the wire: {"error": {...}}.
type ErrorBody struct {
	Error *Error `json:"error"`
}

// NewError returns the Error for code with its standard sentences.
func NewError(code Code) *Error {
	info, ok := codes[code]
	if !ok {
		info = codes[CodeInternal]
		code = CodeInternal
	}
	return &Error{Code: code, Message: info.en, MessageKo: info.ko}
}

// Status is the HTTP status that carries e.
func (e *Error) Status() int {
	if info, ok := codes[e.Code]; ok {
		return info.status
	}
	return http.StatusInternalServerError
}

// WithDetail returns a copy of e that says what exactly was wrong.
func (e *Error) WithDetail(format string, args ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(format, args...)
	return &c
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Detail)
	}
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Fields[0].Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Is lets errors.Is(err, api.NewError(code)) match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// FieldError says which field is wrong and why, in both languages. Field is a
// dotted JSON path such as "counterparty.id".
type FieldError struct {
	Field     string `json:"field"`
	Message   string `json:"message"`
	MessageKo string `json:"message_ko"`
}
