package loadtest

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bonsign/bonsign/client/server/phone"
)

// CodeReceiver stands in for an SMS provider: it takes the server's signed
// webhook requests and keeps the newest code per phone number.
type CodeReceiver struct {
	secret []byte
	mu     sync.Mutex
	codes  map[string]string
	waits  map[string][]chan string
	srv    *http.Server
	Addr   string
}

// ListenCodes starts a receiver on addr (e.g. "127.0.0.1:0").
func ListenCodes(addr string, secret []byte) (*CodeReceiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &CodeReceiver{secret: secret, codes: map[string]string{}, waits: map[string][]chan string{}, Addr: ln.Addr().String()}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln)
	return r, nil
}

// ServeHTTP checks the signature and records the code.
func (r *CodeReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	if err := phone.VerifyRequest(r.secret, req, body, time.Now()); err != nil {
		http.Error(w, "signature", http.StatusUnauthorized)
		return
	}
	var p phone.WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "json", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	r.codes[p.To] = p.Code
	for _, ch := range r.waits[p.To] {
		ch <- p.Code
	}
	delete(r.waits, p.To)
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// Expect returns a channel that gets the next code sent to phoneNo. Call it
// before asking the server to send one.
func (r *CodeReceiver) Expect(phoneNo string) <-chan string {
	ch := make(chan string, 1)
	r.mu.Lock()
	r.waits[phoneNo] = append(r.waits[phoneNo], ch)
	r.mu.Unlock()
	return ch
}

// Close stops the receiver.
func (r *CodeReceiver) Close() error { return r.srv.Close() }
