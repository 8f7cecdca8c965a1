package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/bonsign/bonsign/client/server/demo"
)

// TestTheAppPinsTheServersCA: against a demo serving HTTPS with its private
// CA, the app logs in when it pins that CA and cannot connect without it.
func TestTheAppPinsTheServersCA(t *testing.T) {
	env, err := demo.Open(t.TempDir(), demo.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	cfg := demoConfig(env)
	cfg.ServerCA = env.TLSCA
	h := newHarness(t, test.NewTempApp(t), cfg)
	h.logIn(env) // fails the test unless login and the phone check went through

	unpinned := demoConfig(env)
	h2 := newHarness(t, test.NewTempApp(t), unpinned)
	test.Tap(screenOf[*homeScreen](h2).issue)
	login := h2.demoCertChosen(env)
	test.Type(login.password, env.Password)
	test.Tap(login.login)
	h2.waitFor("the error", func() bool { return login.errMsg.Visible() })
	if login.errMsg.Text != txtErrUnreachable.ko {
		t.Fatalf("without the pinned CA the app says %q", login.errMsg.Text)
	}
}
