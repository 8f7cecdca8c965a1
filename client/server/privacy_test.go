package server_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/internal/testpki"
)

// TestNoResidentRegistrationNumberInLogsOrDatabaseFiles runs the whole flow:
// a clerk approves a minor through the console (with the guardian's consent)
// and a second citizen bound by an NPKI VID; the citizens log in (password,
// forced change, certificate; and certificate with R and the number), pass
// the phone check and issue confirmations naming counterparties and a
// delegate; the institution looks one up; the clerk renews and revokes. Then
// every log line and the database files (.db, -wal, -shm) are searched for
// each resident registration number involved, with and without hyphen, and
// for R: none may appear.
func TestNoResidentRegistrationNumberInLogsOrDatabaseFiles(t *testing.T) {
	h := newHarness(t, noAddressLimit)
	ctx := context.Background()
	today := time.Now().In(api.KST)
	minorRRN := rrnBornOn(time.Date(today.Year()-17, today.Month(), 1, 0, 0, 0, 0, api.KST))
	const (
		guardianRRN     = "780303-2345678"
		npkiRRN         = "881212-1234563"
		counterpartyRRN = "800101-2345678"
		delegateRRN     = "850505-2345671"
	)

	// The clerk approves the minor through the console.
	c := newConsoleClient(t, h.url, nil)
	c.wantPage(c.login("clerk-1", clerkPassword), http.StatusOK)
	c.wantPage(c.post("/console/search", url.Values{"rrn": {minorRRN}}), http.StatusOK)
	minor := h.ca.Issue(t, "이민준", testpki.Options{})
	loginID, initial, record := approveThroughConsole(c, map[string]string{
		"name": "이민준", "rrn": minorRRN, "address": "서울특별시 종로구 자하문로 1", "phone": "010-5555-6666",
		"identity_method": "mobile", "id_checked": "1",
		"consent_kind": "legal_representative", "consent_name": "이엄마", "consent_relation": "모",
		"consent_rrn": guardianRRN, "consent_document": "가족관계증명서 (발급번호 1234-5678)",
	}, minor)

	// And a citizen with an NPKI certificate, by the admin API.
	if _, err := h.srv.Approve(ctx, h.approval(nil, "윤서준", npkiRRN)); err != nil {
		t.Fatal(err)
	}
	npkiLeafX, r := npkiLeaf(t, h.ca, "윤서준", npkiRRN)

	// The minor: password, forced change, certificate, code, issue.
	a := h.raw()
	if _, e := a.passwordLogin(loginID, initial); e != nil {
		t.Fatal(e)
	}
	if e, _ := a.call("/v1/password", api.ChangePasswordRequest{CurrentPassword: initial, NewPassword: "민준이-비밀번호-1"}, nil); e != nil {
		t.Fatal(e)
	}
	login, e := a.certLogin(minor, "", nil)
	if e != nil {
		t.Fatal(e)
	}
	if login.GuardianConsent == nil || login.GuardianConsent.MaskedRRN != "780303-2******" {
		t.Fatalf("consent %+v", login.GuardianConsent)
	}
	a.pass(h)
	conf := draft()
	conf.Citizen = api.Person{Name: "이민준", RRN: minorRRN, Address: "서울특별시 종로구 자하문로 1"}
	conf.Counterparty.ID = counterpartyRRN
	conf.Delegate = &api.Person{Name: "김대리", RRN: delegateRRN, Address: "서울특별시 마포구 데모로 5"}
	var issued api.IssueResponse
	if e, _ := a.call("/v1/confirmations", api.IssueRequest{Confirmation: conf, Signature: sign(t, minor, conf)}, &issued); e != nil {
		t.Fatal(e)
	}
	if _, err := client.New(h.url).Verify(ctx, h.npsKey, issued.Receipt.IssueNumber, "이민준"); err != nil {
		t.Fatal(err)
	}

	// The NPKI citizen: certificate with R and the number.
	b := h.raw()
	if _, e := b.certLogin(npkiLeafX, npkiRRN, r); e != nil {
		t.Fatal(e)
	}
	b.pass(h)
	_, e = h.raw().certLogin(npkiLeafX, guardianRRN, r) // a wrong number: refused, and not logged either
	wantAPICode(t, e, api.CodeNotApproved)

	// The clerk looks up, fails to renew, revokes.
	c.wantPage(c.post("/console/search", url.Values{"rrn": {npkiRRN}}), http.StatusOK, "윤서준")
	c.wantPage(c.post(record+"/renew", url.Values{}), http.StatusConflict)
	c.wantPage(c.post(record+"/revoke", url.Values{"reason": {"법정대리인 요청"}}), http.StatusOK)
	for _, page := range []string{c.body} {
		if strings.Contains(page, minorRRN) || strings.Contains(page, guardianRRN) {
			t.Fatal("the console shows a full number")
		}
	}

	var needles []string
	for _, n := range []string{citizenRRN, minorRRN, guardianRRN, npkiRRN, counterpartyRRN, delegateRRN} {
		needles = append(needles, n, strings.ReplaceAll(n, "-", ""))
	}
	numbers := len(needles)
	needles = append(needles, hex.EncodeToString(r), base64.StdEncoding.EncodeToString(r), string(r))
	// Passwords are stored as argon2id hashes and never logged: the clerk's,
	// the initial one handed over at approval, and the one chosen later.
	needles = append(needles, clerkPassword, initial, "민준이-비밀번호-1")

	// What anyone may read without being the citizen: the metrics, and the
	// answers to an institution that is not the recipient.
	_, metrics := get(t, h.url+"/metrics")
	if found := scanFor([]byte(metrics), append(needles, "이민준", "윤서준")...); len(found) > 0 {
		t.Errorf("the metrics contain %q", found)
	}
	status, other := post(t, h.url+"/v1/verify", h.hugKey, []byte(`{"issue_number":"`+issued.Receipt.IssueNumber+`","name":"이민준"}`))
	if status != http.StatusNotFound || other.Code != api.CodeNotFound {
		t.Fatalf("another institution's lookup: %d %+v", status, other)
	}
	if b, _ := json.Marshal(other); len(scanFor(b, needles...)) > 0 || strings.Contains(string(b), "이민준") {
		t.Errorf("another institution's answer leaks: %s", b)
	}

	logs := h.logs.String()
	if strings.Count(logs, "\n") < 30 {
		t.Fatalf("only %d log lines: is the log captured?", strings.Count(logs, "\n"))
	}
	if found := scanFor([]byte(logs), needles...); len(found) > 0 {
		t.Errorf("the log contains %q", found)
	}
	scan := func(when string) int {
		scanned := 0
		for _, suffix := range []string{"", "-wal", "-shm"} {
			data, err := os.ReadFile(h.dbPath + suffix)
			if os.IsNotExist(err) && suffix != "" {
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			scanned++
			if found := scanFor(data, needles...); len(found) > 0 {
				t.Errorf("%s (%s) contains %q", h.dbPath+suffix, when, found)
			}
			for _, n := range needles[:numbers] { // UTF-16 too, should a layer store text so
				if strings.Contains(string(data), utf16le(n)) {
					t.Errorf("%s (%s) contains %q in UTF-16", h.dbPath+suffix, when, n)
				}
			}
		}
		return scanned
	}
	if n := scan("while open"); n < 3 {
		t.Fatalf("only %d database files while the server runs: where are the WAL and the shared memory?", n)
	}
	h.db.Close() // checkpoints the WAL into the database file
	scan("after closing")
}

func utf16le(s string) string {
	var sb strings.Builder
	for _, r := range s {
		sb.WriteRune(r)
		sb.WriteByte(0)
	}
	return sb.String()
}
