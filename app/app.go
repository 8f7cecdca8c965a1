// Package app is the user interface of the bonsign desktop app, built with Fyne:
// the citizen's screens from certificate login to the receipt (발급증), the
// document wallet that works offline, and, in demo mode, the development phone's
// inbox.
//
// The package draws and reacts; nothing else. It opens certificates and signs
// through signer/, talks to the issuance server through client/ and keeps
// receipts through client/wallet. It never imports fyne.io/fyne/v2/app, so its
// tests run on Fyne's test driver without a display or cgo.
//
// Concurrency: every method of UI runs on the Fyne UI goroutine. Work that may
// block (reading a key file, the network, the wallet) runs on a goroutine of its
// own and hands its result back through fyne.Do.
package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/assets"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/wallet"
	"github.com/bonsign/bonsign/signer/certs"
)

// Config is what the app needs to know from its caller.
type Config struct {
	// ServerURL is the issuance server's base URL.
	ServerURL string
	// ServerCA, when not nil, is the PEM certificate of the CA the server's
	// TLS certificate chains to: the app trusts it and nothing else.
	ServerCA []byte
	// WalletDir is the folder of the citizen's document wallet.
	WalletDir string
	// Demo, when not nil, makes the app show the demo hints and the demo phone.
	Demo *Demo
	// Certificates says where to look for the citizen's certificates; the
	// zero value looks in the usual places of this computer (NPKI folders,
	// removable drives, known token modules). The demo certificate and the
	// files the citizen adds are always looked at too.
	Certificates certs.Options
	// Now is the clock of the countdowns and of the renewal reminder; nil
	// means time.Now. Tests move it.
	Now func() time.Time
}

// Demo describes the embedded demo server's fictional citizen, so that a
// newcomer knows what to type, and where the development phone gateway's
// messages can be read.
type Demo struct {
	CertPath string // the demo citizen's PKCS#12 file
	Password string // its password
	Name     string // fictional name
	RRN      string // fictional resident registration number, "YYMMDD-SBBBBBB"
	Address  string // fictional registered address
	// LoginID and InitialPassword are the citizen's for the ID/password
	// login; the initial password works until it is changed.
	LoginID, InitialPassword string
	// Outbox returns the messages the development gateway has sent, newest
	// last. It is called off the UI goroutine.
	Outbox func() []string
}

// minWindowWidth is the narrowest the window gets; every screen is laid out
// to work at 800x600.
const minWindowWidth = 640

// screen is one screen of the app. It builds its widgets from state it keeps
// outside them, so that it can be built again (after a language switch)
// without losing anything.
type screen interface {
	buildUI() fyne.CanvasObject
}

// Optional screen behaviour, checked by show.
type (
	// enterer starts what a screen needs once, when it is first shown: a
	// request, a timer.
	enterer interface{ enter() }
	// focuser names the widget that gets the keyboard focus.
	focuser interface{ focus() fyne.Focusable }
)

// UI is the running app: one window showing one screen at a time.
type UI struct {
	app    fyne.App
	win    fyne.Window
	cfg    Config
	lang   lang
	client *client.Client
	wallet *wallet.Wallet
	// walletErr is why the wallet could not be opened, if it could not.
	walletErr error
	// do runs a func on the UI goroutine: fyne.Do, or a queue in tests.
	do func(func())

	sess   *session
	status *approvalStatus // the approval as the last login reported it, if any
	certs  *certs.List     // the certificates found, while the login screen needs them
	// certSearching is set while certificates are being listed again;
	// certWaiters are the screens waiting for the result.
	certSearching bool
	certWaiters   []certWaiter
	institutions  []api.Institution // fetched once, then kept
	outbox        *outboxPanel      // nil outside demo mode

	current      screen
	gen          int // counts shows, so late results for a left screen are dropped
	rootCtx      context.Context
	rootCancel   context.CancelFunc
	screenCtx    context.Context
	screenCancel context.CancelFunc
}

// New builds the app in window w of a, applies the bonsign theme and shows the
// home screen. Call Close when the window is gone.
func New(a fyne.App, w fyne.Window, cfg Config) *UI {
	return newUI(a, w, cfg, fyne.Do)
}

func newUI(a fyne.App, w fyne.Window, cfg Config, do func(func())) *UI {
	u := &UI{
		app:    a,
		win:    w,
		cfg:    cfg,
		lang:   langFromPreferences(a.Preferences()),
		client: newClient(cfg),
		do:     do,
	}
	u.rootCtx, u.rootCancel = context.WithCancel(context.Background())
	u.wallet, u.walletErr = wallet.Open(cfg.WalletDir)
	a.Settings().SetTheme(newTheme())
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	if cfg.Demo != nil && cfg.Demo.Outbox != nil {
		u.outbox = &outboxPanel{ui: u}
		u.outbox.start(cfg.Demo.Outbox)
	}
	u.goHome()
	return u
}

// newClient connects to the server, pinning its CA when one is configured.
func newClient(cfg Config) *client.Client {
	if cfg.ServerCA == nil {
		return client.New(cfg.ServerURL)
	}
	return client.New(cfg.ServerURL, client.WithCA(cfg.ServerCA))
}

// Close stops the app's background work and ends the session on the server,
// waiting at most a few seconds for that.
func (u *UI) Close() {
	if u.client.Token() != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		u.client.Logout(ctx) // best effort: the session expires on its own too
		cancel()
	}
	if u.sess != nil {
		u.sess.login = nil
	}
	if u.screenCancel != nil {
		u.screenCancel()
	}
	u.rootCancel()
	if u.certs != nil {
		u.certs.Close()
	}
}

// now is the app's clock.
func (u *UI) now() time.Time {
	if u.cfg.Now != nil {
		return u.cfg.Now()
	}
	return time.Now()
}

// t translates x into the chosen language.
func (u *UI) t(x text) string { return u.lang.t(x) }

// tf translates x and formats args into it.
func (u *UI) tf(x text, args ...any) string { return u.lang.tf(x, args...) }

// show leaves the current screen (cancelling whatever it still had running)
// and shows s.
func (u *UI) show(s screen) {
	if u.screenCancel != nil {
		u.screenCancel()
	}
	u.gen++
	u.screenCtx, u.screenCancel = context.WithCancel(u.rootCtx)
	u.current = s
	u.render()
	if e, ok := s.(enterer); ok {
		e.enter()
	}
}

// render builds the current screen's widgets again and puts them in the window.
func (u *UI) render() {
	body := u.current.buildUI()
	var bottom fyne.CanvasObject
	if u.outbox != nil {
		bottom = u.outbox.buildUI()
	}
	u.win.SetTitle(u.t(txtWindowTitle))
	frame := container.NewBorder(u.header(), bottom, nil, nil, body)
	u.win.SetContent(container.New(minWidthLayout{minWindowWidth}, frame))
	if f, ok := u.current.(focuser); ok {
		if o := f.focus(); o != nil {
			u.win.Canvas().Focus(o)
		}
	}
}

// setLang switches the language, remembers the choice and redraws.
func (u *UI) setLang(l lang) {
	if l == u.lang {
		return
	}
	u.lang = l
	l.save(u.app.Preferences())
	u.render()
}

// header is the bar above every screen.
func (u *UI) header() fyne.CanvasObject {
	name := widget.NewLabelWithStyle("bonsign", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	sub := widget.NewLabel(u.t(txtAppSubtitle))
	sub.Truncation = fyne.TextTruncateEllipsis
	bar := container.NewBorder(nil, nil, container.NewHBox(iconImage(), name), nil, sub)
	return container.NewVBox(bar, widget.NewSeparator())
}

// run does work off the UI goroutine and then calls done with its error on the
// UI goroutine, unless the user has left the screen in the meantime. The
// returned func cancels the work's context.
func (u *UI) run(work func(ctx context.Context) error, done func(error)) (cancel context.CancelFunc) {
	ctx, cancel := context.WithCancel(u.screenCtx)
	gen := u.gen
	go func() {
		err := work(ctx)
		u.do(func() {
			cancel()
			if gen == u.gen {
				done(err)
			}
		})
	}()
	return cancel
}

// every calls fn on the UI goroutine every d until ctx ends.
func (u *UI) every(ctx context.Context, d time.Duration, fn func()) {
	go func() {
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				u.do(func() {
					if ctx.Err() == nil {
						fn()
					}
				})
			}
		}
	}()
}

// later calls fn on the UI goroutine if ctx has not ended by then; work
// running off the UI goroutine uses it to report progress.
func (u *UI) later(ctx context.Context, fn func()) {
	u.do(func() {
		if ctx.Err() == nil {
			fn()
		}
	})
}
