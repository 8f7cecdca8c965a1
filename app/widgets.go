package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bonsign/bonsign/assets"
)

// pageWidth is the widest a page's column gets, so that lines stay readable on
// a wide window.
const pageWidth = 760

// button is a widget.Button that Enter presses too, not only Space, so that
// every action is reachable from the keyboard the way people expect.
type button struct {
	widget.Button
}

func newButton(label string, icon fyne.Resource, tapped func()) *button {
	b := &button{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// newPrimaryButton is the button for the screen's main action.
func newPrimaryButton(label string, icon fyne.Resource, tapped func()) *button {
	b := newButton(label, icon, tapped)
	b.Importance = widget.HighImportance
	return b
}

// TypedKey presses the button on Enter and Return as well as Space.
func (b *button) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		if !b.Disabled() {
			b.Tapped(nil)
		}
		return
	}
	b.Button.TypedKey(ev)
}

// columnLayout centres its objects and caps their width at max.
type columnLayout struct{ max float32 }

func (l columnLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.max)
	for _, o := range objs {
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}

func (l columnLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// minWidthLayout fills its space with its objects but asks for at least min
// width. Fyne sizes new content to its minimum once before laying it out; at
// a tiny width wrapped text would report hundreds of lines and the window
// would grow to fit them.
type minWidthLayout struct{ min float32 }

func (l minWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

func (l minWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := fyne.NewSize(l.min, 0)
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// page lays out a screen: a heading and body in a readable column that
// scrolls when the window is small.
func page(title string, body ...fyne.CanvasObject) *container.Scroll {
	objs := append([]fyne.CanvasObject{heading(title)}, body...)
	col := container.New(columnLayout{pageWidth}, container.NewVBox(objs...))
	return container.NewVScroll(container.NewPadded(col))
}

// withFooter puts the screen's actions (and the messages and progress that
// belong to them) in a bar below the scrolling page, so that they stay in
// view on a small window.
func withFooter(p *container.Scroll, footer ...fyne.CanvasObject) fyne.CanvasObject {
	col := container.New(columnLayout{pageWidth}, container.NewVBox(footer...))
	bar := container.NewVBox(widget.NewSeparator(), container.NewPadded(col))
	return container.NewBorder(nil, bar, nil, nil, p)
}

// heading is a screen's title.
func heading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// subheading titles a part of a screen.
func subheading(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	l.Wrapping = fyne.TextWrapWord
	return l
}

// para is a paragraph of wrapped text.
func para(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// fieldLabel names an input above it.
func fieldLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
}

// newMessage is a wrapped label for an error (or, with another importance, a
// notice), hidden while it says nothing.
func newMessage(imp widget.Importance) *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = imp
	l.Hide()
	return l
}

// say sets a message label's text and shows it, or hides it for "".
func say(l *widget.Label, s string) {
	l.SetText(s)
	if s == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// boundEntry is a single-line entry that writes what is typed into *v, so the
// state lives outside the widget.
func boundEntry(v *string, placeholder string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(*v)
	e.PlaceHolder = placeholder
	e.OnChanged = func(s string) { *v = s }
	return e
}

// iconImage is the app icon at header size.
func iconImage() fyne.CanvasObject {
	img := canvas.NewImageFromResource(fyne.NewStaticResource("icon.png", assets.Icon))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSquareSize(28))
	return img
}

// busy shows that long work is running, what it is doing, and a way to cancel.
type busy struct {
	status *widget.Label
	bar    *widget.ProgressBarInfinite
	cancel *button
	box    *fyne.Container
}

func newBusy(cancelLabel string, onCancel func()) *busy {
	b := &busy{
		status: widget.NewLabel(""),
		bar:    widget.NewProgressBarInfinite(),
		cancel: newButton(cancelLabel, theme.CancelIcon(), onCancel),
	}
	b.status.Wrapping = fyne.TextWrapWord
	b.box = container.NewVBox(b.status, container.NewBorder(nil, nil, nil, b.cancel, b.bar))
	b.box.Hide()
	b.bar.Stop()
	return b
}

// start shows the indicator with status s.
func (b *busy) start(s string) {
	b.status.SetText(s)
	b.box.Show()
	b.bar.Start()
}

// stop hides the indicator.
func (b *busy) stop() {
	b.bar.Stop()
	b.box.Hide()
}

// running reports whether the indicator is shown.
func (b *busy) running() bool { return b.box.Visible() }

// setEnabled enables or disables each of ws.
func setEnabled(on bool, ws ...fyne.Disableable) {
	for _, w := range ws {
		if on {
			w.Enable()
		} else {
			w.Disable()
		}
	}
}

// infoRow is one line of a read-only summary: a label and its value.
func infoRow(label, value string) *widget.FormItem {
	v := widget.NewLabel(value)
	v.Wrapping = fyne.TextWrapWord
	return widget.NewFormItem(label, v)
}
