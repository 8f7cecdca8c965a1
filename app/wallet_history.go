package app

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client"
	"github.com/bonsign/bonsign/client/wallet"
)

// historyTimeout bounds one fetch of the lookup history: the detail shows
// the cached one (or says it is offline) rather than wait longer.
const historyTimeout = 20 * time.Second

// lookupHistory is what the wallet detail knows of the shown receipt's lookup
// history (issue 6): whether a history token is kept, the history last
// fetched, and how the fetch going on now, or the last one, went.
type lookupHistory struct {
	number   string
	hasToken bool
	cached   *wallet.History // last fetched, from the wallet or just now; nil if never
	fetching bool
	err      error // why the last fetch failed; nil if it did not
}

// historyView shows a lookupHistory as a section of the wallet detail and
// reports a tap on its refresh button.
type historyView struct {
	u         *UI
	h         *lookupHistory
	onRefresh func()
}

func (v historyView) build() fyne.CanvasObject {
	u, h := v.u, v.h
	items := []fyne.CanvasObject{widget.NewSeparator(), subheading(u.t(txtHistoryTitle))}
	if !h.hasToken {
		note := para(u.t(txtHistoryNoTokenBody))
		note.Importance = widget.LowImportance
		return container.NewVBox(append(items, fieldLabel(u.t(txtHistoryNoToken)), note)...)
	}
	intro := para(u.t(txtHistoryIntro))
	items = append(items, intro)
	status := func(s string, imp widget.Importance) {
		l := para(s)
		l.Importance = imp
		items = append(items, l)
	}
	offline := h.err != nil && isOffline(h.err)
	switch {
	case h.fetching && h.cached == nil:
		items = append(items, widget.NewProgressBarInfinite(), para(u.t(txtHistoryLoading)))
	case h.err != nil && h.cached == nil && offline:
		status(u.t(txtHistoryOffline), widget.WarningImportance)
	case h.err != nil && h.cached == nil:
		status(u.t(txtHistoryFailed)+" "+u.lang.errorText(h.err, txtHistoryFailed), widget.DangerImportance)
	}
	if h.cached != nil {
		if h.err != nil {
			if offline {
				status(u.t(txtHistoryStale), widget.WarningImportance)
			} else {
				status(u.t(txtHistoryFailed)+" "+u.lang.errorText(h.err, txtHistoryFailed), widget.DangerImportance)
			}
		}
		if len(h.cached.Lookups) == 0 {
			items = append(items, fieldLabel(u.t(txtHistoryEmpty)))
		}
		for _, e := range h.cached.Lookups {
			items = append(items, lookupLine(u, e))
		}
		asOf := para(u.tf(txtHistoryAsOf, u.lang.dateTime(h.cached.AsOf.Format(time.RFC3339))))
		items = append(items, asOf)
		if h.fetching {
			items = append(items, para(u.t(txtHistoryLoading)))
		}
	}
	refresh := newButton(u.t(txtHistoryRefresh), theme.ViewRefreshIcon(), v.onRefresh)
	if h.fetching {
		refresh.Disable()
	}
	items = append(items, container.NewHBox(refresh))
	return container.NewVBox(items...)
}

// lookupLine is one lookup: the server's sentence, who made it, and for a
// refused attempt (a wrong name, an institution it is not addressed to) a
// warning icon and colour, so that it stands out.
func lookupLine(u *UI, e api.LookupEntry) fyne.CanvasObject {
	msg := u.lang.pick(e.MessageKo, e.Message)
	if msg == "" {
		msg = joinNonEmpty(" · ", u.lang.dateTime(e.At), e.Institution.Name, e.ResultKo)
	}
	refused := e.Result != api.LookupFound
	line := widget.NewLabelWithStyle(msg, fyne.TextAlignLeading, fyne.TextStyle{Bold: refused})
	line.Wrapping = fyne.TextWrapWord
	icon := theme.NewSuccessThemedResource(theme.ConfirmIcon())
	caption := ""
	if e.By != "" {
		caption = u.tf(txtHistoryBy, e.By)
	}
	if refused {
		line.Importance = widget.WarningImportance
		icon = theme.NewWarningThemedResource(theme.WarningIcon())
		caption = joinNonEmpty(" · ", u.t(txtHistoryRefused)+" ("+resultText(u, e)+")", caption)
	}
	texts := []fyne.CanvasObject{line}
	if caption != "" {
		by := widget.NewLabel(caption)
		by.Wrapping = fyne.TextWrapWord
		by.SizeName = theme.SizeNameCaptionText
		if refused {
			by.Importance = widget.WarningImportance
		}
		texts = append(texts, by)
	}
	// The caption sits close under its sentence: a label's own padding
	// already parts them.
	lines := container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), texts...)
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, lines)
}

// resultText names a lookup's result, for the caption of a refused one; a
// result this app does not know yet is said in the server's Korean words.
func resultText(u *UI, e api.LookupEntry) string {
	switch e.Result {
	case api.LookupFound:
		return u.t(txtResultFound)
	case api.LookupWrongName:
		return u.t(txtResultWrongName)
	case api.LookupOtherInstitution:
		return u.t(txtResultOtherInstitution)
	}
	return u.lang.pick(e.ResultKo, e.Result)
}

// isOffline reports whether err means the server could not be reached, as
// opposed to an answer that refused.
func isOffline(err error) bool {
	return errors.Is(err, client.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded)
}

// readHistory reads what the wallet keeps of receipt n's lookup history, off
// the UI goroutine.
func readHistory(w *wallet.Wallet, n string) *lookupHistory {
	h := &lookupHistory{number: n}
	if _, err := w.HistoryToken(n); err != nil {
		return h
	}
	h.hasToken = true
	h.cached, _ = w.CachedHistory(n) // none yet, or unreadable: fetched anew
	return h
}

// fetchHistory fetches the shown receipt's lookup history from the server,
// off the UI goroutine, caches it in the wallet and shows it; on failure the
// cached history stays, with why it is not fresh.
func (s *walletScreen) fetchHistory() {
	u := s.ui
	h := s.history
	if h == nil || !h.hasToken || h.fetching || u.wallet == nil {
		return
	}
	h.fetching, h.err = true, nil
	gen := s.detailGen
	n := h.number
	var got *wallet.History
	u.run(func(ctx context.Context) error {
		token, err := u.wallet.HistoryToken(n)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, historyTimeout)
		defer cancel()
		resp, err := u.client.LookupHistory(ctx, token)
		if err != nil {
			return err
		}
		got = &wallet.History{AsOf: u.now(), Lookups: resp.Lookups}
		u.wallet.SaveHistory(n, *got) // best effort: it shows anyway
		return nil
	}, func(err error) {
		if gen != s.detailGen || s.history != h {
			return
		}
		h.fetching, h.err = false, err
		if got != nil {
			h.cached = got
		}
		s.showHistory()
	})
	s.showHistory()
}

// showHistory rebuilds the history section alone, not the whole detail.
func (s *walletScreen) showHistory() {
	if s.historyBox == nil || s.history == nil {
		return
	}
	s.historyBox.Objects = []fyne.CanvasObject{historyView{u: s.ui, h: s.history, onRefresh: s.fetchHistory}.build()}
	s.historyBox.Refresh()
	// Wrapped text learns its width in the first layout (see showDetail).
	s.detail.Refresh()
	s.detail.Refresh()
}
