//go:build cgo

package pkcs11token

import (
	"errors"
	"fmt"
	"os"

	"github.com/miekg/pkcs11"
)

// Open loads the PKCS#11 module (a .so, .dylib or .dll) at modulePath and
// initialises it. Close the Module when done: that finalises and unloads it.
//
// SoftHSM2 and some other modules read their configuration at this point
// (SoftHSM2 reads SOFTHSM2_CONF), not when the library is loaded.
func Open(modulePath string) (*Module, error) {
	if _, err := os.Stat(modulePath); err != nil {
		return nil, fmt.Errorf("pkcs11token: module: %w", err)
	}
	ctx := pkcs11.New(modulePath)
	if ctx == nil {
		// miekg/pkcs11 does not pass on dlerror()'s text.
		return nil, fmt.Errorf("pkcs11token: %s: %w", modulePath, ErrNotAModule)
	}
	return open(&ctxBackend{ctx: ctx}, modulePath)
}

// ctxBackend is the backend over a loaded module: every call goes to
// miekg/pkcs11 and PKCS#11 errors come back as rv values.
type ctxBackend struct {
	ctx *pkcs11.Ctx
}

// toRV turns miekg/pkcs11's error type into this package's.
func toRV(err error) error {
	var e pkcs11.Error
	if errors.As(err, &e) {
		return rv(e)
	}
	return err
}

func (b *ctxBackend) Initialize() error {
	err := b.ctx.Initialize() // CKF_OS_LOCKING_OK: the module may use threads
	if isRV(toRV(err), ckrCantLock) {
		// A module that cannot use the OS's locks; this package serialises
		// every call anyway (see Module).
		err = b.ctx.Initialize(pkcs11.InitializeWithFlags(0))
	}
	return toRV(err)
}

func (b *ctxBackend) Finalize() error { return toRV(b.ctx.Finalize()) }
func (b *ctxBackend) Destroy()        { b.ctx.Destroy() }

func (b *ctxBackend) GetSlotList(tokenPresent bool) ([]uint, error) {
	slots, err := b.ctx.GetSlotList(tokenPresent)
	return slots, toRV(err)
}

func (b *ctxBackend) GetTokenInfo(slot uint) (tokenInfo, error) {
	ti, err := b.ctx.GetTokenInfo(slot)
	if err != nil {
		return tokenInfo{}, toRV(err)
	}
	return tokenInfo{
		Label:          ti.Label,
		ManufacturerID: ti.ManufacturerID,
		Model:          ti.Model,
		SerialNumber:   ti.SerialNumber,
		Flags:          ti.Flags,
	}, nil
}

func (b *ctxBackend) OpenSession(slot uint, flags uint) (sessionHandle, error) {
	sh, err := b.ctx.OpenSession(slot, flags)
	return sessionHandle(sh), toRV(err)
}

func (b *ctxBackend) CloseSession(sh sessionHandle) error {
	return toRV(b.ctx.CloseSession(pkcs11.SessionHandle(sh)))
}

func (b *ctxBackend) Login(sh sessionHandle, userType uint, pin string) error {
	return toRV(b.ctx.Login(pkcs11.SessionHandle(sh), userType, pin))
}

func (b *ctxBackend) Logout(sh sessionHandle) error {
	return toRV(b.ctx.Logout(pkcs11.SessionHandle(sh)))
}

func (b *ctxBackend) FindObjectsInit(sh sessionHandle, template []attribute) error {
	t := make([]*pkcs11.Attribute, len(template))
	for i, a := range template {
		t[i] = pkcs11.NewAttribute(a.Type, a.Value)
	}
	return toRV(b.ctx.FindObjectsInit(pkcs11.SessionHandle(sh), t))
}

func (b *ctxBackend) FindObjects(sh sessionHandle, max int) ([]objectHandle, error) {
	found, _, err := b.ctx.FindObjects(pkcs11.SessionHandle(sh), max)
	if err != nil {
		return nil, toRV(err)
	}
	out := make([]objectHandle, len(found))
	for i, o := range found {
		out[i] = objectHandle(o)
	}
	return out, nil
}

func (b *ctxBackend) FindObjectsFinal(sh sessionHandle) error {
	return toRV(b.ctx.FindObjectsFinal(pkcs11.SessionHandle(sh)))
}

func (b *ctxBackend) GetAttributeValue(sh sessionHandle, o objectHandle, types []uint) ([][]byte, error) {
	t := make([]*pkcs11.Attribute, len(types))
	for i, typ := range types {
		t[i] = &pkcs11.Attribute{Type: typ}
	}
	got, err := b.ctx.GetAttributeValue(pkcs11.SessionHandle(sh), pkcs11.ObjectHandle(o), t)
	if err != nil {
		return nil, toRV(err)
	}
	out := make([][]byte, len(got))
	for i, a := range got {
		out[i] = a.Value
	}
	return out, nil
}

func (b *ctxBackend) SignInit(sh sessionHandle, mechanism uint, key objectHandle) error {
	m := []*pkcs11.Mechanism{pkcs11.NewMechanism(mechanism, nil)}
	return toRV(b.ctx.SignInit(pkcs11.SessionHandle(sh), m, pkcs11.ObjectHandle(key)))
}

func (b *ctxBackend) Sign(sh sessionHandle, data []byte) ([]byte, error) {
	sig, err := b.ctx.Sign(pkcs11.SessionHandle(sh), data)
	return sig, toRV(err)
}
