package pkcs11token

import "strings"

// PINState is what a token says about its user PIN, from the
// CKF_USER_PIN_* flags of CK_TOKEN_INFO (PKCS#11 v2.40 base specification).
// Several can be set at once. The zero value means nothing to report.
type PINState uint

const (
	// PINCountLow: a wrong PIN has been entered since the last successful
	// login (CKF_USER_PIN_COUNT_LOW).
	PINCountLow PINState = 1 << iota
	// PINFinalTry: one more wrong PIN locks the token
	// (CKF_USER_PIN_FINAL_TRY).
	PINFinalTry
	// PINLocked: the token refuses every login (CKF_USER_PIN_LOCKED).
	PINLocked
	// PINToBeChanged: the PIN is the factory or initialisation default,
	// or has expired, and must be changed (CKF_USER_PIN_TO_BE_CHANGED).
	PINToBeChanged
)

func pinStateFromFlags(flags uint) PINState {
	var s PINState
	if flags&ckfUserPINCountLow != 0 {
		s |= PINCountLow
	}
	if flags&ckfUserPINFinalTry != 0 {
		s |= PINFinalTry
	}
	if flags&ckfUserPINLocked != 0 {
		s |= PINLocked
	}
	if flags&ckfUserPINToBeChanged != 0 {
		s |= PINToBeChanged
	}
	return s
}

// Locked reports whether the token refuses every login.
func (s PINState) Locked() bool { return s&PINLocked != 0 }

// Notice is the sentence to show a person before they type the PIN, in
// Korean and in English; both are empty when there is nothing to say. A
// locked token gets only the locked sentence (asking for the PIN is then
// pointless); a final try is said instead of count-low, which it implies.
func (s PINState) Notice() (ko, en string) {
	type sentence struct{ ko, en string }
	var say []sentence
	switch {
	case s&PINLocked != 0:
		return "잠긴 보안토큰입니다. 보안토큰 관리 프로그램으로 잠금을 풀거나 보안토큰을 구입한 곳에 문의하세요.",
			"This security token is locked. Unlock it with the token's management program, or ask where you got it."
	case s&PINFinalTry != 0:
		say = append(say, sentence{
			"마지막 시도입니다: 또 틀리면 보안토큰이 잠깁니다.",
			"This is the last try: one more wrong PIN locks the security token.",
		})
	case s&PINCountLow != 0:
		say = append(say, sentence{
			"PIN을 잘못 입력한 적이 있습니다. 계속 틀리면 보안토큰이 잠길 수 있습니다.",
			"A wrong PIN has been entered before. More wrong PINs can lock the security token.",
		})
	}
	if s&PINToBeChanged != 0 {
		say = append(say, sentence{
			"PIN을 바꿔야 합니다: 보안토큰 관리 프로그램에서 새 PIN을 정한 뒤 서명하세요.",
			"The PIN must be changed: set a new one in the token's management program, then sign.",
		})
	}
	var k, e []string
	for _, x := range say {
		k, e = append(k, x.ko), append(e, x.en)
	}
	return strings.Join(k, " "), strings.Join(e, " ")
}

// String names the states set, for logs: "count-low|final-try".
func (s PINState) String() string {
	if s == 0 {
		return "ok"
	}
	var names []string
	for _, n := range []struct {
		bit  PINState
		name string
	}{
		{PINCountLow, "count-low"},
		{PINFinalTry, "final-try"},
		{PINLocked, "locked"},
		{PINToBeChanged, "to-be-changed"},
	} {
		if s&n.bit != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, "|")
}
