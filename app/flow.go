package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/signer/certs"
)

// This file is the flow: which screen follows which, and the state one
// issuance carries from screen to screen.
//
//	home ─► login ────────────────────────► code or token ─► draft ◄─► sign ─► receipt ─► wallet
//	  │       ↕                          ▲
//	  │     password login ─► change ─► login (the certificate step)
//	  └─────────────────────────────────────────────────────────────────────────────────► wallet
//
// The login screen and the password login are the two ways in the
// procedure allows (R5): the certificate alone, or ID and password (with the
// initial password changed at first use) and then the certificate. The extra
// identity check is the phone code or the security token, as chosen at
// approval. Leaving the issuance for home or the wallet ends the session on
// the server.

// session is what the citizen has done so far in one issuance. It lives outside
// the widgets, so a screen can be built again without losing anything.
type session struct {
	cert     *certs.Entry // the certificate chosen to log in and sign with
	certPath string       // its path, to choose it again after a new search

	// The ID/password login: the ID typed, and whether the password step
	// is done (the certificate step then needs no resident registration
	// number) and the password was changed in it.
	loginID    string
	passwordOK bool
	pwChanged  bool
	login      *api.LoginResponse

	// The phone code: the channel chosen, the code's answer, and, on the
	// app's clock, when it expires and when another may be asked for.
	channel  string
	code     *api.CodeResponse
	codeEnds time.Time
	resendAt time.Time
	// tokenCert is the security token certificate chosen for the token
	// check.
	tokenCert *certs.Entry

	draft   draft
	conf    *api.Confirmation // the confirmation under review, as it will be signed
	receipt *api.Receipt
	saveErr error // why the receipt could not be kept in the wallet, if so
}

// draft is the confirmation as the citizen is filling it in.
type draft struct {
	id           string
	citizen      api.Person
	purpose      string
	counterparty api.Counterparty
	hasDelegate  bool
	delegate     api.Person // kept when the box is unticked, in case it is ticked again
	institution  api.Institution
}

// newSession starts an issuance, with the certificate of prev (if any)
// chosen again.
func newSession(prev *session) *session {
	s := &session{draft: draft{id: newConfirmationID()}}
	if prev != nil {
		s.cert, s.certPath = prev.cert, prev.certPath
	}
	return s
}

// newConfirmationID returns 32 random lower-case hex characters: two drafts
// never sign the same bytes.
func newConfirmationID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// confirmation is the draft as the citizen will sign it, written at now. Spaces
// around what was typed are dropped and identifiers typed without hyphens get
// them, so that only real mistakes reach Validate.
func (d *draft) confirmation(now time.Time) api.Confirmation {
	c := api.Confirmation{
		Version:   api.ConfirmationVersion,
		ID:        d.id,
		CreatedAt: now.In(api.KST).Format(time.RFC3339),
		Citizen:   cleanPerson(d.citizen),
		Purpose:   strings.TrimSpace(d.purpose),
		Counterparty: api.Counterparty{
			Name:    strings.TrimSpace(d.counterparty.Name),
			ID:      normaliseID(d.counterparty.ID),
			Address: strings.TrimSpace(d.counterparty.Address),
		},
		Institution: d.institution,
	}
	if d.hasDelegate {
		p := cleanPerson(d.delegate)
		c.Delegate = &p
	}
	return c
}

func cleanPerson(p api.Person) api.Person {
	return api.Person{
		Name:    strings.TrimSpace(p.Name),
		RRN:     normaliseID(p.RRN),
		Address: strings.TrimSpace(p.Address),
	}
}

// normaliseID writes a resident or business registration number in its
// hyphenated form if it is one; anything else is returned trimmed, for
// Validate to explain.
func normaliseID(s string) string {
	s = strings.TrimSpace(s)
	if r, err := api.ParseRRN(s); err == nil {
		return r.Formatted()
	}
	if b, err := api.ParseBRN(s); err == nil {
		return b
	}
	return s
}

// endSession forgets the issuance in progress and logs out on the server in
// the background. The certificate path is kept for the next login.
func (u *UI) endSession() {
	// A session at the password stage has no login response yet: the
	// client's token says whether there is anything to end.
	if u.client.Token() != "" {
		go func() {
			ctx, cancel := context.WithTimeout(u.rootCtx, 5*time.Second)
			defer cancel()
			u.client.Logout(ctx) // best effort: the session expires on its own too
		}()
	}
	u.sess = newSession(u.sess)
}

func (u *UI) goHome() {
	u.endSession()
	u.show(&homeScreen{ui: u, onIssue: u.goLogin, onWallet: func() { u.goWallet("") }})
}

// goLogin shows the certificate login: the first way in, or the second step
// after the password.
func (u *UI) goLogin() {
	u.show(&loginScreen{ui: u, sess: u.sess, onLoggedIn: u.loggedIn, onBack: u.goHome,
		onPasswordPath: u.goPasswordLogin})
}

// goPasswordLogin shows the ID/password login, the other way in.
func (u *UI) goPasswordLogin() {
	u.show(&passwordLoginScreen{ui: u, sess: u.sess, onCertPath: u.goLogin, onBack: u.goHome,
		onDone: func(current string, mustChange bool) {
			if mustChange {
				u.show(&changePasswordScreen{ui: u, sess: u.sess, current: current, onDone: u.goLogin, onBack: u.goHome})
				return
			}
			u.goLogin()
		}})
}

// loggedIn remembers the approval the login reported and goes on to the
// extra identity check.
func (u *UI) loggedIn() {
	u.status = newApprovalStatus(u.sess.login)
	u.goCode()
}

// goCode shows the extra identity check chosen at approval (R3, R5).
func (u *UI) goCode() {
	if l := u.sess.login; l != nil && l.IdentityMethod == methodToken {
		u.show(&tokenCheckScreen{ui: u, sess: u.sess, onVerified: u.goDraft, onBack: u.goHome})
		return
	}
	u.show(&codeScreen{ui: u, sess: u.sess, onVerified: u.goDraft, onBack: u.goHome})
}

// methodToken is the identity method of a citizen who chose the security
// token at approval (api.LoginResponse.IdentityMethod).
const methodToken = "token"

func (u *UI) goDraft() {
	if u.sess.draft.citizen.Name == "" && u.sess.login != nil {
		u.sess.draft.citizen.Name = u.sess.login.Name
	}
	u.show(&draftScreen{ui: u, sess: u.sess, onNext: u.goSign, onBack: u.goHome})
}

func (u *UI) goSign() {
	u.show(&signScreen{ui: u, sess: u.sess, onIssued: u.goReceipt, onBack: u.goDraft})
}

func (u *UI) goReceipt() {
	r := u.sess.receipt
	u.show(&receiptScreen{ui: u, receipt: *r, saveErr: u.sess.saveErr,
		onWallet: func() { u.goWallet(r.IssueNumber) }, onHome: u.goHome})
}

// goWallet shows the wallet with the receipt numbered selected, if any.
func (u *UI) goWallet(selected string) {
	u.endSession()
	u.show(&walletScreen{ui: u, selected: selected, onHome: u.goHome})
}

// steps shows where the citizen is among the five steps of an issuance
// (current counts from 1).
func (u *UI) steps(current int) fyne.CanvasObject {
	names := []text{txtStepLogin, txtStepCode, txtStepDraft, txtStepSign, txtStepReceipt}
	var segs []widget.RichTextSegment
	for i, n := range names {
		if i > 0 {
			segs = append(segs, &widget.TextSegment{Text: "  ›  ", Style: widget.RichTextStyleInline})
		}
		style := widget.RichTextStyleInline
		if i+1 == current {
			style = widget.RichTextStyleStrong
			style.ColorName = theme.ColorNamePrimary
		} else {
			style.ColorName = theme.ColorNamePlaceHolder
		}
		segs = append(segs, &widget.TextSegment{Text: fmt.Sprintf("%d %s", i+1, u.t(n)), Style: style})
	}
	rt := widget.NewRichText(segs...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}
