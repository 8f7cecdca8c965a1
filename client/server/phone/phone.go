// Package phone sends the extra identity check codes (R3, R5) to citizens'
// phones. Outbox is the development gateway: it keeps the messages in memory
// for the demo and the tests to read, and sends nothing. Webhook hands each
// message to a real SMS/ARS provider's relay as a signed JSON POST.
package phone

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Channel is how a code reaches the citizen.
type Channel string

// The channels a gateway may offer: a text message, or an automated call (ARS)
// that reads the code out.
const (
	SMS   Channel = "sms"
	Voice Channel = "voice"
)

// Message is one code to deliver.
type Message struct {
	To      string // the phone number, digits and hyphens
	Channel Channel
	Text    string // what the text says, or what the call reads out
	Code    string // the code alone, for providers that compose their own message
	SentAt  time.Time
}

// Outbox is the development gateway. It is safe for concurrent use.
type Outbox struct {
	mu   sync.Mutex
	msgs []Message
}

// Send records m.
func (o *Outbox) Send(_ context.Context, m Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	if len(o.msgs) > 100 {
		o.msgs = o.msgs[len(o.msgs)-100:]
	}
	return nil
}

// Messages returns what was sent, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Message(nil), o.msgs...)
}

// Mask hides the middle of a phone number: "010-1234-5678" -> "010-****-5678".
func Mask(number string) string {
	parts := strings.Split(number, "-")
	if len(parts) == 3 {
		return parts[0] + "-" + strings.Repeat("*", len(parts[1])) + "-" + parts[2]
	}
	if len(number) <= 4 {
		return strings.Repeat("*", len(number))
	}
	return strings.Repeat("*", len(number)-4) + number[len(number)-4:]
}
