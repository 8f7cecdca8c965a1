package loadtest

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/bonsign/bonsign/client/server/tlsinit"
)

// Server is a bonsign-server process started on a load folder.
type Server struct {
	URL  string
	TLS  *tls.Config
	cmd  *exec.Cmd
	log  *os.File
	args []string
	bin  string
}

// StartServer starts bin ("serve") on the keys and CA of dir and the store db
// (see dbOf), with
// the phone webhook pointed at codes, every limit lifted (the load comes from
// one address), over TLS with the private CA of tlsinit when useTLS, plus
// extra flags.
func StartServer(bin, dir, db string, codes *CodeReceiver, useTLS bool, extra ...string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{bin: bin, URL: "http://" + addr}
	s.args = []string{"serve", "-addr", addr,
		"-db", dbOf(dir, db), "-key-file", filepath.Join(dir, "data.key"),
		"-roots", filepath.Join(dir, CAFile),
		"-receipt-key", filepath.Join(dir, "receipt-key.pem"), "-receipt-cert", filepath.Join(dir, "receipt-cert.pem"),
		"-phone-webhook", "http://" + codes.Addr + "/", "-phone-webhook-secret-file", filepath.Join(dir, SecretFile),
		"-rate-limit", "0", "-lookup-rate-key", "0", "-lookup-rate-address", "0", "-max-crypto", "256", "-revocation", "fail-open"}
	if useTLS {
		f, err := tlsinit.Init(dir, []string{"127.0.0.1"})
		if err != nil {
			return nil, err
		}
		s.args = append(s.args, "-tls-cert", f.Cert, "-tls-key", f.Key)
		caPEM, _ := os.ReadFile(f.CA)
		if s.TLS, err = tlsinit.ClientConfig(caPEM); err != nil {
			return nil, err
		}
		s.URL = "https://" + addr
	}
	s.args = append(s.args, extra...)
	if s.log, err = os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return nil, err
	}
	return s, s.start()
}

func (s *Server) start() error {
	s.cmd = exec.Command(s.bin, s.args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return err
	}
	if err := s.waitReady(15 * time.Second); err != nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		return fmt.Errorf("the server did not come up (see %s): %w", s.log.Name(), err)
	}
	return nil
}

// PID is the process ID of the running server.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Restart starts the same server again after Kill or Stop.
func (s *Server) Restart() error { return s.start() }

// Kill ends the server with SIGKILL: no chance to finish anything.
func (s *Server) Kill() error {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	return nil
}

// Stop ends the server with SIGTERM, letting requests in flight finish.
func (s *Server) Stop() error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	err := s.cmd.Wait()
	s.log.Close()
	return err
}

func (s *Server) waitReady(timeout time.Duration) error {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: s.TLS.Clone()}, Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := c.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("readyz answered %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
