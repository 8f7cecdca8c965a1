package pkcs11token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
)

// fake is a backend written in Go: a few tokens with objects, PIN counting
// and locking as the standard describes it, and signing with software keys.
// It follows the PKCS#11 rules the package relies on (private objects are
// invisible before login, login is per token, closing the last session logs
// out), so the package's logic runs against it as against a module.
type fake struct {
	tokens   map[uint]*fakeToken
	sessions map[sessionHandle]*fakeSession
	next     sessionHandle

	initErr     error // returned by Initialize
	initialized bool
	finalized   int
	destroyed   int
	calls       map[string]int // Login calls by user type: "login-user", "login-context"
}

type fakeToken struct {
	info     tokenInfo
	pin      string
	maxTries int // wrong PINs before the token locks; 0: never
	fails    int
	objects  []*fakeObject
	loggedIn bool
	gone     bool  // removed: calls fail with CKR_DEVICE_REMOVED
	loginErr error // if set, Login returns it
}

type fakeObject struct {
	attrs      map[uint][]byte
	sensitive  map[uint]bool // reading these fails with CKR_ATTRIBUTE_SENSITIVE
	key        crypto.Signer // private keys
	alwaysAuth bool
}

type fakeSession struct {
	slot       uint
	found      []objectHandle
	finding    bool
	signKey    *fakeObject
	signMech   uint
	signActive bool
	ctxAuthed  bool
}

const (
	ckrAttributeSensitive      = 0x011
	ckrAttributeTypeInvalid    = 0x012
	ckrKeyTypeInconsistent     = 0x063
	ckrOperationActive         = 0x090
	ckrOperationNotInitialized = 0x091
	ckrSlotIDInvalid           = 0x003
)

func newFake() *fake {
	return &fake{tokens: map[uint]*fakeToken{}, sessions: map[sessionHandle]*fakeSession{}, calls: map[string]int{}}
}

// ul lays out a CK_ULONG as a 64-bit Unix module would.
func ul(v uint) []byte { return binary.NativeEndian.AppendUint64(nil, uint64(v)) }

func (f *fake) addToken(slot uint, label, pin string) *fakeToken {
	t := &fakeToken{
		info: tokenInfo{Label: label + "            ", ManufacturerID: "Fake Maker      ", Model: "F1", SerialNumber: "0001",
			Flags: ckfLoginRequired | ckfTokenInitialized},
		pin: pin,
	}
	f.tokens[slot] = t
	return t
}

func (t *fakeToken) addCert(id []byte, label string, der []byte) {
	t.objects = append(t.objects, &fakeObject{attrs: map[uint][]byte{
		ckaClass: ul(ckoCertificate), ckaCertificateType: ul(ckcX509),
		ckaID: id, ckaLabel: []byte(label), ckaValue: der,
	}})
}

func (t *fakeToken) addKey(id []byte, key crypto.Signer) *fakeObject {
	o := &fakeObject{key: key, sensitive: map[uint]bool{}, attrs: map[uint][]byte{
		ckaClass: ul(ckoPrivateKey), ckaID: id, ckaSign: {1},
	}}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		o.attrs[ckaKeyType] = ul(ckkRSA)
		o.attrs[ckaModulus] = k.N.Bytes()
	case *ecdsa.PrivateKey:
		o.attrs[ckaKeyType] = ul(ckkEC)
		oid := curveOIDs[k.Curve.Params().Name]
		der, _ := asn1.Marshal(oid)
		o.attrs[ckaECParams] = der
	}
	t.objects = append(t.objects, o)
	return o
}

func (f *fake) handle(slot uint, i int) objectHandle { return objectHandle(slot*1000 + uint(i) + 1) }

func (f *fake) object(s *fakeSession, h objectHandle) (*fakeObject, error) {
	t := f.tokens[s.slot]
	i := int(uint(h) - s.slot*1000 - 1)
	if i < 0 || i >= len(t.objects) {
		return nil, rv(0x082) // CKR_OBJECT_HANDLE_INVALID
	}
	return t.objects[i], nil
}

func (f *fake) session(sh sessionHandle) (*fakeSession, *fakeToken, error) {
	s, ok := f.sessions[sh]
	if !ok {
		return nil, nil, rv(ckrSessionHandleInvalid)
	}
	t := f.tokens[s.slot]
	if t.gone {
		return nil, nil, rv(ckrDeviceRemoved)
	}
	return s, t, nil
}

func (f *fake) Initialize() error {
	if f.initErr != nil {
		return f.initErr
	}
	f.initialized = true
	return nil
}

func (f *fake) Finalize() error { f.finalized++; f.initialized = false; return nil }
func (f *fake) Destroy()        { f.destroyed++ }

func (f *fake) GetSlotList(bool) ([]uint, error) {
	var slots []uint
	for s := range f.tokens {
		slots = append(slots, s)
	}
	// Slot order as a module gives it: ascending here.
	for i := range slots {
		for j := i + 1; j < len(slots); j++ {
			if slots[j] < slots[i] {
				slots[i], slots[j] = slots[j], slots[i]
			}
		}
	}
	return slots, nil
}

func (f *fake) GetTokenInfo(slot uint) (tokenInfo, error) {
	t, ok := f.tokens[slot]
	if !ok {
		return tokenInfo{}, rv(ckrSlotIDInvalid)
	}
	if t.gone {
		return tokenInfo{}, rv(ckrTokenNotPresent)
	}
	return t.info, nil
}

func (f *fake) OpenSession(slot uint, flags uint) (sessionHandle, error) {
	t, ok := f.tokens[slot]
	if !ok {
		return 0, rv(ckrSlotIDInvalid)
	}
	if t.gone {
		return 0, rv(ckrTokenNotPresent)
	}
	if flags&ckfSerialSession == 0 {
		return 0, rv(0x0B4) // CKR_SESSION_PARALLEL_NOT_SUPPORTED
	}
	f.next++
	f.sessions[f.next] = &fakeSession{slot: slot}
	return f.next, nil
}

func (f *fake) CloseSession(sh sessionHandle) error {
	s, ok := f.sessions[sh]
	if !ok {
		return rv(ckrSessionHandleInvalid)
	}
	delete(f.sessions, sh)
	for _, o := range f.sessions {
		if o.slot == s.slot {
			return nil
		}
	}
	f.tokens[s.slot].loggedIn = false // the last session: back to public
	return nil
}

func (f *fake) Login(sh sessionHandle, userType uint, pin string) error {
	s, t, err := f.session(sh)
	if err != nil {
		return err
	}
	switch userType {
	case ckuUser:
		f.calls["login-user"]++
		if t.loggedIn {
			return rv(ckrUserAlreadyLoggedIn)
		}
	case ckuContextSpecific:
		f.calls["login-context"]++
		if !s.signActive {
			return rv(ckrOperationNotInitialized)
		}
	default:
		return rv(0x103) // CKR_USER_TYPE_INVALID
	}
	if t.loginErr != nil {
		return t.loginErr
	}
	if t.info.Flags&ckfUserPINLocked != 0 {
		return rv(ckrPINLocked)
	}
	if pin != t.pin {
		t.fails++
		t.info.Flags |= ckfUserPINCountLow
		switch {
		case t.maxTries > 0 && t.fails >= t.maxTries:
			t.info.Flags |= ckfUserPINLocked
			t.info.Flags &^= ckfUserPINFinalTry
		case t.maxTries > 0 && t.fails == t.maxTries-1:
			t.info.Flags |= ckfUserPINFinalTry
		}
		return rv(ckrPINIncorrect)
	}
	t.fails = 0
	t.info.Flags &^= ckfUserPINCountLow | ckfUserPINFinalTry
	if userType == ckuContextSpecific {
		s.ctxAuthed = true
	} else {
		t.loggedIn = true
	}
	return nil
}

func (f *fake) Logout(sh sessionHandle) error {
	_, t, err := f.session(sh)
	if err != nil {
		return err
	}
	if !t.loggedIn {
		return rv(ckrUserNotLoggedIn)
	}
	t.loggedIn = false
	return nil
}

func (f *fake) FindObjectsInit(sh sessionHandle, template []attribute) error {
	s, t, err := f.session(sh)
	if err != nil {
		return err
	}
	if s.finding {
		return rv(ckrOperationActive)
	}
	s.finding, s.found = true, nil
	for i, o := range t.objects {
		if o.key != nil && !t.loggedIn {
			continue // private objects are invisible before login
		}
		if matches(o, template) {
			s.found = append(s.found, f.handle(s.slot, i))
		}
	}
	return nil
}

func matches(o *fakeObject, template []attribute) bool {
	for _, a := range template {
		var want []byte
		switch v := a.Value.(type) {
		case uint:
			want = ul(v)
		case []byte:
			want = v
		default:
			panic(fmt.Sprintf("template value %T", a.Value))
		}
		if !bytes.Equal(o.attrs[a.Type], want) {
			return false
		}
	}
	return true
}

func (f *fake) FindObjects(sh sessionHandle, max int) ([]objectHandle, error) {
	s, _, err := f.session(sh)
	if err != nil {
		return nil, err
	}
	if !s.finding {
		return nil, rv(ckrOperationNotInitialized)
	}
	n := min(max, len(s.found))
	out := s.found[:n]
	s.found = s.found[n:]
	return out, nil
}

func (f *fake) FindObjectsFinal(sh sessionHandle) error {
	s, _, err := f.session(sh)
	if err != nil {
		return err
	}
	s.finding = false
	return nil
}

func (f *fake) GetAttributeValue(sh sessionHandle, h objectHandle, types []uint) ([][]byte, error) {
	s, _, err := f.session(sh)
	if err != nil {
		return nil, err
	}
	o, err := f.object(s, h)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(types))
	for i, typ := range types {
		if o.sensitive[typ] {
			return nil, rv(ckrAttributeSensitive)
		}
		if typ == ckaAlwaysAuthenticate && o.key != nil {
			out[i] = []byte{0}
			if o.alwaysAuth {
				out[i] = []byte{1}
			}
			continue
		}
		v, ok := o.attrs[typ]
		if !ok {
			return nil, rv(ckrAttributeTypeInvalid)
		}
		out[i] = v
	}
	return out, nil
}

func (f *fake) SignInit(sh sessionHandle, mech uint, h objectHandle) error {
	s, t, err := f.session(sh)
	if err != nil {
		return err
	}
	if !t.loggedIn {
		return rv(ckrUserNotLoggedIn)
	}
	if s.signActive {
		return rv(ckrOperationActive)
	}
	o, err := f.object(s, h)
	if err != nil {
		return err
	}
	s.signKey, s.signMech, s.signActive, s.ctxAuthed = o, mech, true, false
	return nil
}

func (f *fake) Sign(sh sessionHandle, data []byte) ([]byte, error) {
	s, _, err := f.session(sh)
	if err != nil {
		return nil, err
	}
	if !s.signActive {
		return nil, rv(ckrOperationNotInitialized)
	}
	s.signActive = false // any outcome ends the operation
	if s.signKey.alwaysAuth && !s.ctxAuthed {
		return nil, rv(ckrUserNotLoggedIn)
	}
	switch k := s.signKey.key.(type) {
	case *rsa.PrivateKey:
		if s.signMech != ckmRSAPKCS {
			return nil, rv(ckrKeyTypeInconsistent)
		}
		// Hash 0: PKCS #1 v1.5 padding over data as given, which is what
		// CKM_RSA_PKCS does.
		return rsa.SignPKCS1v15(nil, k, 0, data)
	case *ecdsa.PrivateKey:
		if s.signMech != ckmECDSA {
			return nil, rv(ckrKeyTypeInconsistent)
		}
		r, sv, err := ecdsa.Sign(rand.Reader, k, data)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		sv.FillBytes(out[size:])
		return out, nil
	}
	return nil, rv(ckrKeyTypeInconsistent)
}
