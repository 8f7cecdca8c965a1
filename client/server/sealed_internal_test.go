package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/bonsign/bonsign/api"
)

func sampleSealed() sealedConfirmation {
	return sealedConfirmation{
		Confirmation: api.Confirmation{
			Version: api.ConfirmationVersion, ID: "0123456789abcdef0123456789abcdef", CreatedAt: "2026-11-25T09:00:00+09:00",
			Citizen:      api.Person{Name: "김민서", RRN: "950315-2123456", Address: "서울특별시 종로구 세종대로 209"},
			Purpose:      "자동차 매도",
			Counterparty: api.Counterparty{Name: "이영희", ID: "800101-2345678", Address: "부산광역시 해운대구 센텀로 1"},
			Institution:  api.Institution{Code: "bs-pub-nps", Name: "국민연금공단"},
			Delegate:     &api.Person{Name: "박대리", RRN: "900101-1234568", Address: "서울특별시 중구 세종대로 110"},
		},
		Signature:        bytes.Repeat([]byte{0x30, 0x82, 0xff}, 800),
		ReceiptSignature: bytes.Repeat([]byte{0x30, 0x81}, 300),
		ReceiptCert:      "5f3a",
	}
}

func TestSealedRoundTrip(t *testing.T) {
	for _, sc := range []sealedConfirmation{sampleSealed(), {Confirmation: sampleSealed().Confirmation, Signature: []byte{1}}} {
		b, err := sc.marshal()
		if err != nil {
			t.Fatal(err)
		}
		got, err := unmarshalSealed(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*got, sc) {
			t.Fatalf("round trip: got %+v, want %+v", *got, sc)
		}
	}
}

// Rows written before the binary layout (the struct as JSON) still open.
func TestSealedReadsTheJSONLayout(t *testing.T) {
	sc := sampleSealed()
	old, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := unmarshalSealed(old)
	if err != nil || !reflect.DeepEqual(*got, sc) {
		t.Fatalf("JSON layout: %+v, %v", got, err)
	}
	b, _ := sc.marshal()
	if len(b) >= len(old)*4/5 {
		t.Errorf("the binary layout takes %d bytes, the JSON one %d: it should save the base64", len(b), len(old))
	}
}

func TestSealedRefusesDamage(t *testing.T) {
	good, _ := (&sealedConfirmation{Confirmation: sampleSealed().Confirmation, Signature: []byte("cms")}).marshal()
	for name, p := range map[string][]byte{
		"empty":          nil,
		"unknown layout": append([]byte{0x03}, good[1:]...),
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte{}, good...), 0),
		"length too big": {sealedV2, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad varint":     {sealedV2, 0xff},
	} {
		if _, err := unmarshalSealed(p); !errors.Is(err, errSealedLayout) {
			t.Errorf("%s: %v, want errSealedLayout", name, err)
		}
	}
	bad := []byte{sealedV2, 3, '{', 'x', '}', 0, 0, 0}
	if _, err := unmarshalSealed(bad); err == nil {
		t.Error("a confirmation that is not JSON was accepted")
	}
}

func FuzzUnmarshalSealed(f *testing.F) {
	sc := sampleSealed()
	b, _ := sc.marshal()
	j, _ := json.Marshal(sc)
	f.Add(b)
	f.Add(j)
	f.Add([]byte{sealedV2, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := unmarshalSealed(p)
		if err != nil {
			return
		}
		again, err := got.marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := unmarshalSealed(again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("decoded %+v, re-encoded and decoded %+v, %v", got, back, err)
		}
	})
}
