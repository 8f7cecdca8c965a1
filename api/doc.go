// Package api holds what the bonsign client and the issuance server both speak:
// the confirmation (전자본인서명확인서) and its canonical form, the receipt (발급증),
// the request and response bodies of the /v1 API, the stable error codes, and the
// identifiers the procedure uses (resident registration numbers, business
// registration numbers, issue numbers).
//
// The package does no I/O and keeps no state, so both sides can import it and
// every rule in it is tested once.
package api
