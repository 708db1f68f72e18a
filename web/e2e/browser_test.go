package e2e

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/canvass-vote/canvass/demo"
	"github.com/canvass-vote/canvass/web"
	"github.com/canvass-vote/canvass/workspace"
)

// shotsDir, when set, is where the pages' screenshots are saved (make screenshots).
var shotsDir = flag.String("screenshots", "", "save a PNG of each page visited in this folder")

// chromium is Debian's chromium, which .ci/run installs.
const chromium = "/usr/bin/chromium"

// Window sizes: a phone's (CSS pixels of a 6-inch phone held upright) and a desktop's.
const (
	phoneW, phoneH     = 390, 844
	desktopW, desktopH = 1280, 800
)

// site is the demonstration election (demo.Build) served on loopback, built once for the
// package: the Wisconsin ward report after the recount, Wayne County, Georgia's hand count,
// and a comparison audit of Adams County with its first round drawn.
type site struct {
	b      *demo.Built
	w      *workspace.Workspace
	srv    *httptest.Server
	logins map[string]string // account → password
}

var shared struct {
	siteOnce sync.Once
	site     *site
	siteErr  error
	dir      string

	browserOnce sync.Once
	browser     context.Context // a chromedp context whose browser runs
	stop        []func()
	browserErr  error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	for _, f := range slices.Backward(shared.stop) {
		f()
	}
	if shared.site != nil {
		shared.site.srv.Close()
		shared.site.w.Close()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// demoSite builds the demonstration election and serves it (once per test binary).
func demoSite(t *testing.T) *site {
	t.Helper()
	shared.siteOnce.Do(func() {
		shared.dir, shared.siteErr = os.MkdirTemp("", "canvass-e2e-*")
		if shared.siteErr != nil {
			return
		}
		b, err := demo.Build(context.Background(), filepath.Join(shared.dir, "demo"), "demo")
		if err != nil {
			shared.siteErr = err
			return
		}
		s := &site{b: b, w: b.Workspace, logins: map[string]string{}}
		for _, l := range b.Logins {
			s.logins[l.Name] = l.Password
		}
		up := filepath.Join(shared.dir, "uploads")
		if err := os.Mkdir(up, 0o700); err != nil {
			shared.siteErr = err
			return
		}
		s.srv = httptest.NewServer(web.New(b.Workspace, web.Options{TempDir: up}))
		shared.site = s
	})
	if shared.siteErr != nil {
		t.Fatalf("building the demo election: %v", shared.siteErr)
	}
	return shared.site
}

// startBrowser starts chromium once per test binary: headless, no sandbox (the tests may run
// as root), no GPU, and nothing that reaches the network by itself, with a fresh profile.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	shared.browserOnce.Do(func() {
		if _, err := os.Stat(chromium); err != nil {
			shared.browserErr = fmt.Errorf("chromium is not installed (%v): install Debian's chromium with 'apt-get install chromium' (.ci/run installs it); the browser tests need it", err)
			return
		}
		profile, err := os.MkdirTemp("", "canvass-chromium-*")
		if err != nil {
			shared.browserErr = err
			return
		}
		shared.stop = append(shared.stop, func() { removeAll(profile) })
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(chromium),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-default-apps", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("metrics-recording-only", true),
			chromedp.Flag("password-store", "basic"),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("force-color-profile", "srgb"),
			chromedp.UserDataDir(profile),
			chromedp.WindowSize(desktopW, desktopH),
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		shared.stop = append(shared.stop, cancelAlloc, cancel)
		if err := chromedp.Do(ctx); err != nil {
			shared.browserErr = fmt.Errorf("starting %s: %w (is Debian's chromium installed and working? 'apt-get install chromium')", chromium, err)
			return
		}
		shared.browser = ctx
	})
	if shared.browserErr != nil {
		t.Fatal(shared.browserErr)
	}
	return shared.browser
}

// removeAll removes a folder that chromium's last processes may still be writing in.
func removeAll(dir string) {
	for range 50 {
		if err := os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// tab is a browser tab in a browser context of its own (its own cookies: one person), on the
// demo site, at the desktop's size.
type tab struct {
	t    *testing.T
	ctx  context.Context
	site *site
	// errs are the page's uncaught exceptions and console errors.
	mu   sync.Mutex
	errs []string
}

func newTab(t *testing.T, s *site) *tab {
	t.Helper()
	b := startBrowser(t)
	tb := &tab{t: t, site: s}
	ctx, cancel := chromedp.NewContext(b, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			tb.mu.Lock()
			tb.errs = append(tb.errs, ev.ExceptionDetails.Text)
			tb.mu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				tb.mu.Lock()
				tb.errs = append(tb.errs, fmt.Sprintf("console.error (%d arguments)", len(ev.Args)))
				tb.mu.Unlock()
			}
		}
	}))
	t.Cleanup(cancel)
	tb.ctx = ctx
	// The first action opens the tab and binds it to ctx, which has no deadline: each later
	// action has its own (do).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(desktopW, desktopH, chromedp.EmulateScale(1))); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		if len(tb.errs) > 0 {
			t.Errorf("the pages' scripts failed: %q", tb.errs)
		}
	})
	return tb
}

// actionTimeout bounds each action of a tab, so that a page that never shows what a test waits
// for fails the test in good time.
const actionTimeout = 30 * time.Second

// run runs an action of the tab with its timeout.
func run[T any](tb *tab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	return chromedp.Run(ctx, a)
}

// do runs actions of the tab, in order, with the timeout.
func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	return chromedp.Do(ctx, steps...)
}

// open loads a page of the site and checks that it answered 200.
func (tb *tab) open(path string) {
	tb.t.Helper()
	resp, err := run(tb, chromedp.NavigateResponse(tb.site.srv.URL+path))
	if err != nil {
		tb.t.Fatalf("opening %s: %v", path, err)
	}
	if resp.Status != http.StatusOK {
		tb.t.Fatalf("%s: %d %s", path, resp.Status, resp.StatusText)
	}
}

// follow clicks what s finds (XPath or CSS) and waits for the page it loads, which must answer
// 200 (after redirects).
func (tb *tab) follow(s string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, clickOn(s))
	if err != nil {
		tb.t.Fatalf("clicking %s: %v", s, err)
	}
	if resp.Status != http.StatusOK {
		tb.t.Fatalf("clicking %s: %d %s", s, resp.Status, resp.StatusText)
	}
}

// clickOn clicks the first visible element s finds (XPath or CSS).
func clickOn(s string) chromedp.Action[chromedp.Void] {
	if strings.HasPrefix(s, "/") {
		return chromedp.Click(chromedp.Search(s), chromedp.NodeVisible)
	}
	return chromedp.Click(chromedp.CSS(s), chromedp.NodeVisible)
}

// text is the visible text of the first element s finds (XPath or CSS).
func (tb *tab) text(s string) string {
	tb.t.Helper()
	a := chromedp.Text(chromedp.CSS(s), chromedp.NodeVisible)
	if strings.HasPrefix(s, "/") {
		a = chromedp.Text(chromedp.Search(s), chromedp.NodeVisible)
	}
	v, err := run(tb, a)
	if err != nil {
		tb.t.Fatalf("reading %s: %v", s, err)
	}
	return strings.TrimSpace(v)
}

// eval evaluates a script expression in the page.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	v, err := run(tb, chromedp.Evaluate[T](js))
	if err != nil {
		tb.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// path is the page's path and query.
func (tb *tab) path() string {
	return eval[string](tb, "location.pathname + location.search")
}

// signIn signs in through the sign-in page, as a person does, and returns where it lands.
func (tb *tab) signIn(name string) string {
	tb.t.Helper()
	tb.open("/login")
	if err := tb.do(
		chromedp.SendKeys(chromedp.ID("name"), name),
		chromedp.SendKeys(chromedp.ID("password"), tb.site.logins[name]),
	); err != nil {
		tb.t.Fatal(err)
	}
	tb.follow(`//main//form//button[normalize-space()="Sign in"]`)
	if got := eval[string](tb, `(document.querySelector(".who a[title]") || {}).textContent || ""`); got != name {
		tb.t.Fatalf("signed in as %q, not %s: %s", got, name, tb.text("main"))
	}
	return tb.path()
}

// bars reads a page's bar chart (the first on the page): each choice's name and its "votes ·
// share" text.
func (tb *tab) bars() map[string]string {
	tb.t.Helper()
	return eval[map[string]string](tb, `Object.fromEntries([...document.querySelector("main ul.bars").querySelectorAll("li")].map(li =>
		[li.querySelector(".name").firstChild.textContent.trim(), li.querySelector(".label > .n").textContent.trim()]))`)
}

// shoot checks the page at a phone's width — it must not scroll sideways: wide tables scroll
// in their own box — then captures it at each of the widths (phone, desktop) asked, if any,
// and saves the captures as name-WIDTH.png in the screenshots folder when one is given. The
// tab is left at the desktop's size.
func (tb *tab) shoot(name string, widths ...int) {
	tb.t.Helper()
	tb.viewport(phoneW)
	over := eval[[]int](tb, `[document.documentElement.scrollWidth, window.innerWidth]`)
	if over[0] > over[1] {
		tb.t.Errorf("%s (%s) is %d pixels wide on a phone %d pixels wide: it scrolls sideways", name, tb.path(), over[0], over[1])
	}
	if slices.Contains(widths, phoneW) {
		tb.capture(name, phoneW)
	}
	for _, w := range widths {
		if w != phoneW {
			tb.viewport(w)
			tb.capture(name, w)
		}
	}
	tb.viewport(desktopW)
}

// viewport sets the page's width: a phone's (emulated as a mobile device) or a desktop's.
func (tb *tab) viewport(w int) {
	tb.t.Helper()
	h, opts := desktopH, []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if w == phoneW {
		h, opts = phoneH, append(opts, chromedp.EmulateMobile)
	}
	if err := tb.do(chromedp.EmulateViewport(int64(w), int64(h), opts...)); err != nil {
		tb.t.Fatal(err)
	}
}

// capture takes a screenshot of the page's window, checks that it is a PNG of the width asked,
// and saves it as name-WIDTH.png when a screenshots folder is given.
func (tb *tab) capture(name string, w int) {
	tb.t.Helper()
	b, err := run(tb, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot of %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		tb.t.Fatalf("screenshot of %s: %v", name, err)
	}
	if got := img.Bounds().Dx(); got != w {
		tb.t.Errorf("screenshot of %s at %d pixels is %d wide", name, w, got)
	}
	if *shotsDir == "" {
		return
	}
	small, err := palettePNG(img)
	if err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*shotsDir, fmt.Sprintf("%s-%d.png", name, w)), small, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// paletteSize is the number of colours of the saved screenshots.
const paletteSize = 32

// palettePNG encodes a screenshot with a palette of its paletteSize commonest colours (a page
// is mostly a few flat colours and the anti-aliased edges of text), each other colour drawn as
// the nearest of them: less than half the size of the browser's true-colour PNG, and as easy
// to read.
func palettePNG(img image.Image) ([]byte, error) {
	r := img.Bounds()
	count := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	cs := make([]color.RGBA, 0, len(count))
	for c := range count {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b color.RGBA) int {
		if d := count[b] - count[a]; d != 0 {
			return d
		}
		return int(a.R)<<16 | int(a.G)<<8 | int(a.B) - (int(b.R)<<16 | int(b.G)<<8 | int(b.B))
	})
	pal := make(color.Palette, 0, paletteSize)
	for _, c := range cs[:min(len(cs), paletteSize)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(r, pal)
	index := map[color.RGBA]uint8{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := index[c]
			if !ok {
				i = uint8(pal.Index(c))
				index[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ledgerSize is the number of entries of the workspace's ledger.
func ledgerSize(t *testing.T, w *workspace.Workspace) uint64 {
	t.Helper()
	n, err := w.LedgerSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
