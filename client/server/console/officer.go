package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/institution"
)

// OfficerBackend is what the officer console needs from the issuance server;
// *server.Server implements it.
type OfficerBackend interface {
	Now() time.Time
	ClientAddress(r *http.Request) string
	OfficerLogin(ctx context.Context, login, password, code string) (*institution.Officer, string, error)
	OfficerSession(ctx context.Context, token string) (*institution.Officer, error)
	OfficerLogout(ctx context.Context, token string) error
	OfficerVerify(ctx context.Context, o institution.Officer, addr, issueNumber, name string) (*institution.Verified, error)
	OfficerLookups(ctx context.Context, o institution.Officer, limit int) ([]institution.OwnLookup, error)
}

// OfficerPrefix is where the officer console is mounted.
const OfficerPrefix = "/officer/"

// historyLimit is how many of their own lookups an officer sees.
const historyLimit = 200

const (
	officerCookie    = "bonsign_officer"
	officerPreCookie = "bonsign_officer_pre"
)

//go:embed templates/officer/*.html
var officerFS embed.FS

//go:embed static/officer.css
var officerStylesheet []byte

//go:embed static/print.js
var printScript []byte

// cspPrint is cspNoScript with the console's own script file allowed: the
// print button, nothing else.
const cspPrint = "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

type officerConsole struct {
	*web
	b OfficerBackend
}

// officerPage is what every officer template gets.
type officerPage struct {
	Title   string
	Officer *institution.Officer
	CSRF    string
	Flash   string
	Error   string
	Fields  map[string]string
	Form    map[string]string
	Now     time.Time

	Result  *institution.Verified
	Lookups []institution.OwnLookup
}

// NewOfficer returns the officer console's handler, to be mounted at
// OfficerPrefix.
func NewOfficer(b OfficerBackend, cfg Config) http.Handler {
	c := &officerConsole{web: newWeb(OfficerPrefix, cfg, cspPrint), b: b}
	c.parsePages(officerFS, "templates/officer/layout.html", "templates/officer/*.html")
	c.static["officer.css"] = staticFile{officerStylesheet, "text/css; charset=utf-8"}
	c.static["print.js"] = staticFile{printScript, "text/javascript; charset=utf-8"}
	c.refuse = func(w http.ResponseWriter, r *http.Request) {
		c.render(w, http.StatusForbidden, "message", &officerPage{Title: "거부됨", Error: "다른 사이트에서 보낸 요청은 받지 않습니다. (Cross-site request refused.)"})
	}
	m := c.mux
	m.HandleFunc("GET /officer/{$}", c.home)
	m.HandleFunc("GET /officer/login", c.loginPage)
	m.HandleFunc("POST /officer/login", c.login)
	m.HandleFunc("POST /officer/logout", c.withOfficer(c.logout))
	m.HandleFunc("GET /officer/verify", c.withOfficer(c.verifyPage))
	m.HandleFunc("POST /officer/verify", c.withOfficer(c.verify))
	m.HandleFunc("GET /officer/history", c.withOfficer(c.history))
	m.HandleFunc("GET /officer/static/{name}", c.serveStatic)
	m.HandleFunc("/officer/", func(w http.ResponseWriter, r *http.Request) {
		c.render(w, http.StatusNotFound, "message", &officerPage{Title: "찾을 수 없음", Error: "찾는 페이지가 없습니다. (Not found.)"})
	})
	return c
}

func (c *officerConsole) render(w http.ResponseWriter, status int, name string, p *officerPage) {
	if p.Now.IsZero() {
		p.Now = c.b.Now()
	}
	c.execute(w, status, name, p)
}

// officerSession is a logged-in officer's request.
type officerSession struct {
	officer *institution.Officer
	token   string
}

func (s *officerSession) page(c *officerConsole, title string) *officerPage {
	return &officerPage{Title: title, Officer: s.officer, CSRF: c.csrfToken(s.token)}
}

// withOfficer requires a logged-in officer, and a valid CSRF token on a POST.
func (c *officerConsole) withOfficer(next func(w http.ResponseWriter, r *http.Request, s *officerSession)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := c.cookie(r, officerCookie)
		var o *institution.Officer
		if token != "" {
			var err error
			o, err = c.b.OfficerSession(r.Context(), token)
			if err != nil && !errors.Is(err, institution.ErrSessionEnded) {
				c.fail(w, r, err)
				return
			}
		}
		if o == nil {
			if token != "" {
				c.setCookie(w, r, officerCookie, "", -1)
			}
			http.Redirect(w, r, OfficerPrefix+"login?ended=1", http.StatusSeeOther)
			return
		}
		s := &officerSession{officer: o, token: token}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if !c.checkCSRF(r, token) {
				p := s.page(c, "거부됨")
				p.Error = "보안 확인(CSRF) 값이 맞지 않습니다. 페이지를 새로 열고 다시 시도하세요. (The form's security token is missing or wrong.)"
				c.render(w, http.StatusForbidden, "message", p)
				return
			}
		}
		next(w, r, s)
	}
}

func (c *officerConsole) home(w http.ResponseWriter, r *http.Request) {
	if token := c.cookie(r, officerCookie); token != "" {
		if o, err := c.b.OfficerSession(r.Context(), token); err == nil && o != nil {
			http.Redirect(w, r, OfficerPrefix+"verify", http.StatusSeeOther)
			return
		}
	}
	http.Redirect(w, r, OfficerPrefix+"login", http.StatusSeeOther)
}

const officerLoginTitle = "확인 담당자 로그인"

func (c *officerConsole) loginPage(w http.ResponseWriter, r *http.Request) {
	p := &officerPage{Title: officerLoginTitle, CSRF: c.csrfToken(c.preToken(w, r, officerPreCookie))}
	if r.URL.Query().Get("ended") != "" {
		p.Flash = "로그인이 필요합니다. 세션이 끝났거나 로그아웃되었습니다. (Please log in.)"
	}
	c.render(w, http.StatusOK, "login", p)
}

func (c *officerConsole) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	pre := c.cookie(r, officerPreCookie)
	again := func(status int, msg string) {
		if pre == "" {
			pre = c.preToken(w, r, officerPreCookie)
		}
		c.render(w, status, "login", &officerPage{Title: officerLoginTitle, CSRF: c.csrfToken(pre), Error: msg,
			Form: map[string]string{"login": r.PostFormValue("login")}})
	}
	if !c.checkCSRF(r, pre) {
		again(http.StatusForbidden, "보안 확인 값이 맞지 않습니다. 다시 로그인하세요. (The form expired: please log in again.)")
		return
	}
	o, token, err := c.b.OfficerLogin(r.Context(), r.PostFormValue("login"), r.PostFormValue("password"), r.PostFormValue("code"))
	var locked *institution.LockedError
	switch {
	case errors.As(err, &locked):
		again(http.StatusTooManyRequests, fmt.Sprintf("로그인에 여러 번 실패하여 계정이 %s까지 잠겼습니다. (Too many failed logins: the account is locked until then.)",
			locked.Until.In(api.KST).Format("2006-01-02 15:04")))
		return
	case errors.Is(err, institution.ErrLoginFailed):
		again(http.StatusUnauthorized, "로그인 ID, 비밀번호 또는 인증 코드가 맞지 않습니다. 인증 코드는 한 번만 쓸 수 있으니 새 코드가 나오면 입력하세요. (Wrong login, password or one-time code; each code works once.)")
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, officerPreCookie, "", -1)
	c.setCookie(w, r, officerCookie, token, 0)
	c.cfg.Log.Info("officer console login", "officer", o.ID)
	http.Redirect(w, r, OfficerPrefix+"verify", http.StatusSeeOther)
}

func (c *officerConsole) logout(w http.ResponseWriter, r *http.Request, s *officerSession) {
	if err := c.b.OfficerLogout(r.Context(), s.token); err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, r, officerCookie, "", -1)
	http.Redirect(w, r, OfficerPrefix+"login", http.StatusSeeOther)
}

const verifyTitle = "전자본인서명확인서 확인"

func (c *officerConsole) verifyPage(w http.ResponseWriter, r *http.Request, s *officerSession) {
	c.render(w, http.StatusOK, "verify", s.page(c, verifyTitle))
}

// verify looks a confirmation up. The answer is a page, not a redirect, so
// that the number and the name never travel in an address.
func (c *officerConsole) verify(w http.ResponseWriter, r *http.Request, s *officerSession) {
	number, name := strings.TrimSpace(r.PostFormValue("issue_number")), strings.TrimSpace(r.PostFormValue("name"))
	p := s.page(c, verifyTitle)
	p.Form = map[string]string{"issue_number": number, "name": name}
	p.Fields = map[string]string{}
	if number == "" {
		p.Fields["issue_number"] = "발급번호를 입력하세요. (Enter the issue number.)"
	}
	if name == "" {
		p.Fields["name"] = "성명을 입력하세요. (Enter the citizen's name.)"
	}
	if len(p.Fields) > 0 {
		p.Error = "입력 내용을 확인하세요. (Please check the marked fields.)"
		c.render(w, http.StatusUnprocessableEntity, "verify", p)
		return
	}
	v, err := c.b.OfficerVerify(r.Context(), *s.officer, c.b.ClientAddress(r), number, name)
	var locked *institution.LookupLockedError
	switch {
	case err == nil:
		p.Result = v
		p.Title = "확인 결과"
		c.render(w, http.StatusOK, "result", p)
	case errors.Is(err, institution.ErrInvalidNumber):
		p.Error = "입력 내용을 확인하세요. (Please check the marked fields.)"
		p.Fields["issue_number"] = "발급번호: 16자리 숫자 중 틀린 숫자가 있습니다. 다시 확인하세요. (One of the 16 digits is wrong.)"
		c.render(w, http.StatusUnprocessableEntity, "verify", p)
	case errors.Is(err, institution.ErrNotFound):
		p.Error = "발급번호와 성명에 맞는, 우리 기관에 제출된 확인서가 없습니다. 발급번호와 성명을 다시 확인하세요. (No confirmation addressed to your institution matches this issue number and name.)"
		c.render(w, http.StatusNotFound, "verify", p)
	case errors.Is(err, institution.ErrRateLimited):
		w.Header().Set("Retry-After", "1")
		p.Error = "조회가 너무 잦습니다. 잠시 후 다시 시도하세요. (Too many lookups: wait a moment.)"
		c.render(w, http.StatusTooManyRequests, "verify", p)
	case errors.As(err, &locked):
		p.Error = fmt.Sprintf("일치하는 확인서가 없는 조회가 너무 많아 %s까지 조회가 차단되었습니다. (Too many lookups found nothing: lookups are blocked until then.)",
			locked.Until.In(api.KST).Format("2006-01-02 15:04"))
		c.render(w, http.StatusTooManyRequests, "verify", p)
	default:
		c.fail(w, r, err)
	}
}

func (c *officerConsole) history(w http.ResponseWriter, r *http.Request, s *officerSession) {
	ls, err := c.b.OfficerLookups(r.Context(), *s.officer, historyLimit)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	p := s.page(c, "내 조회 이력")
	p.Lookups = ls
	c.render(w, http.StatusOK, "history", p)
}

// fail logs an unexpected error (the server's errors name records by id,
// never by personal data) and shows a plain page.
func (c *officerConsole) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.cfg.Log.Error("officer console error", "path", r.URL.Path, "err", err.Error())
	c.render(w, http.StatusInternalServerError, "message", &officerPage{Title: "오류",
		Error: "서버에 문제가 생겼습니다. 잠시 후 다시 시도하세요. (Something went wrong on the server.)"})
}
