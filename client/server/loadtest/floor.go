// Package loadtest drives a running issuance server with many concurrent
// citizens and institution lookups, and measures, in the same run on the same
// machine, the physical floor an issuance cannot go below: one CMS
// verification, one receipt signature and one durable (fsync'd) write.
package loadtest

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/bonsign/bonsign/client/server/receiptkey"
	"github.com/bonsign/bonsign/signer"
	"github.com/smallstep/pkcs7"
)

// Floor is what one issuance costs at the least, measured on this machine.
type Floor struct {
	Verify  time.Duration // one CMS verification with its chain (RSA-2048, as NPKI keys are)
	Sign    time.Duration // one receipt signature (ECDSA P-256, detached CMS)
	Fsync   time.Duration // one durable write of a 4 KiB record
	Cores   int
	PerSec  float64 // the floor in issuances per second
	Limited string  // "crypto" or "fsync": which of the two bounds the floor
}

func (f Floor) String() string {
	return fmt.Sprintf("verify %v + receipt signature %v per core (%d cores), fsync %v: floor %.0f issuances/s (%s-bound)",
		f.Verify.Round(time.Microsecond), f.Sign.Round(time.Microsecond), f.Cores, f.Fsync.Round(time.Microsecond), f.PerSec, f.Limited)
}

// MeasureFloor times the three parts of an issuance for about d each, in dir
// (which must be on the server's disk). The crypto parts use every core, as
// the server does; durable writes are counted one after another, as one
// database file commits them.
func MeasureFloor(dir string, d time.Duration) (Floor, error) {
	f := Floor{Cores: runtime.GOMAXPROCS(0)}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return f, err
	}
	ca, err := NewCA()
	if err != nil {
		return f, err
	}
	leaf, err := ca.Issue(key.Public(), "floor")
	if err != nil {
		return f, err
	}
	content := make([]byte, 1200) // a confirmation's canonical JSON is about this long
	id := &signer.Identity{Key: key, Certificate: leaf}
	cms, err := id.SignCMS(content)
	if err != nil {
		return f, err
	}
	roots := ca.Pool()
	f.Verify, err = parallel(d, f.Cores, func() error {
		_, err := signer.VerifyCMS(cms, signer.VerifyOptions{Roots: roots, Content: content})
		return err
	})
	if err != nil {
		return f, err
	}
	rk, err := receiptkey.Ephemeral()
	if err != nil {
		return f, err
	}
	f.Sign, err = parallel(d, f.Cores, func() error {
		sd, err := pkcs7.NewSignedData(content[:400])
		if err != nil {
			return err
		}
		sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
		if err := sd.AddSigner(rk.Certificate, rk.Signer, pkcs7.SignerInfoConfig{}); err != nil {
			return err
		}
		sd.Detach()
		_, err = sd.Finish()
		return err
	})
	if err != nil {
		return f, err
	}
	file, err := os.CreateTemp(dir, "floor-*")
	if err != nil {
		return f, err
	}
	defer os.Remove(file.Name())
	defer file.Close()
	record := make([]byte, 4096)
	n, start := 0, time.Now()
	for time.Since(start) < d {
		if _, err := file.Write(record); err != nil {
			return f, err
		}
		if err := file.Sync(); err != nil {
			return f, err
		}
		n++
	}
	f.Fsync = time.Since(start) / time.Duration(n)
	crypto := float64(f.Cores) / (f.Verify + f.Sign).Seconds()
	durable := 1 / f.Fsync.Seconds()
	f.PerSec, f.Limited = crypto, "crypto"
	if durable < crypto {
		f.PerSec, f.Limited = durable, "fsync"
	}
	return f, nil
}

// parallel runs op on workers goroutines for d and returns the time one op
// takes on one core.
func parallel(d time.Duration, workers int, op func() error) (time.Duration, error) {
	var mu sync.Mutex
	var total int
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for time.Since(start) < d {
				if err := op(); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				n++
			}
			mu.Lock()
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return time.Since(start) * time.Duration(workers) / time.Duration(max(total, 1)), nil
}
