package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	canvass "github.com/canvass-vote/canvass"
)

// upload is a multipart form: its fields, and its files streamed to a temporary folder (a
// CVR export can be gigabytes; it is never held in memory).
type upload struct {
	dir    string
	fields url.Values
	files  []uploadFile
}

// uploadFile is a file of an upload, kept under the base name the browser gave (cleaned),
// which is the name the workspace records.
type uploadFile struct {
	Field string
	Name  string
	Path  string
	Size  int64
}

func (u *upload) get(k string) string { return strings.TrimSpace(u.fields.Get(k)) }

func (u *upload) cleanup() {
	if u.dir != "" {
		os.RemoveAll(u.dir)
	}
}

const (
	maxFields     = 1 << 20 // bytes of all the non-file fields together
	maxFieldValue = 64 << 10
)

// readMultipart streams a multipart form. Its CSRF token is the X-CSRF-Token header or the
// form's "csrf" field, which must come before the first file (browsers send fields in document
// order, and the forms put it first): no byte of a file is written before the token is checked.
// At most maxFiles files of at most maxSize bytes each are taken.
func (q *req) readMultipart(maxFiles int, maxSize int64) (*upload, error) {
	mt, _, err := mime.ParseMediaType(q.r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, &httpError{status: http.StatusUnsupportedMediaType, msg: "send the file as multipart/form-data"}
	}
	if h := q.r.Header.Get("X-CSRF-Token"); h != "" {
		if err := q.checkCSRF(h); err != nil {
			return nil, err
		}
	}
	mr, err := q.r.MultipartReader()
	if err != nil {
		return nil, badRequest("the form: %v", err)
	}
	dir, err := os.MkdirTemp(q.s.opts.TempDir, "canvass-upload-*")
	if err != nil {
		return nil, err
	}
	u := &upload{dir: dir, fields: url.Values{}}
	fail := func(err error) (*upload, error) {
		u.cleanup()
		return nil, err
	}
	var fieldBytes int
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(badRequest("the form: %v", err))
		}
		name := part.FormName()
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldValue+1))
			if err != nil {
				return fail(badRequest("the form: %v", err))
			}
			fieldBytes += len(b)
			if len(b) > maxFieldValue || fieldBytes > maxFields {
				return fail(&httpError{status: http.StatusRequestEntityTooLarge, msg: "the form's fields are too long"})
			}
			if name == "csrf" && !q.csrfOK {
				if err := q.checkCSRF(string(b)); err != nil {
					return fail(err)
				}
				continue
			}
			u.fields.Add(name, string(b))
			continue
		}
		if !q.csrfOK {
			return fail(errCSRF)
		}
		if len(u.files) >= maxFiles {
			return fail(badRequest("at most %d file(s) at once", maxFiles))
		}
		f := uploadFile{Field: name, Name: cleanName(part.FileName())}
		sub := filepath.Join(dir, "f"+strconv.Itoa(len(u.files)))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return fail(err)
		}
		f.Path = filepath.Join(sub, f.Name)
		out, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fail(err)
		}
		f.Size, err = io.Copy(out, io.LimitReader(part, maxSize+1))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fail(badRequest("receiving %s: %v", f.Name, err))
		}
		if f.Size > maxSize {
			return fail(&httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("%s is larger than the %d bytes this server takes", f.Name, maxSize)})
		}
		u.files = append(u.files, f)
	}
	if !q.csrfOK {
		return fail(errCSRF)
	}
	return u, nil
}

// cleanName keeps a file's base name, without separators, control characters or a leading dot.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == ':' {
			return '_'
		}
		return r
	}, name)
	name = strings.TrimLeft(name, ".")
	if name == "" {
		name = "upload"
	}
	if len(name) > 200 {
		name = name[len(name)-200:]
	}
	return name
}

// failure turns a workspace error about an uploaded file into an error of the given status
// (422, or 409 for a file already imported) naming the record, the field and the file by the
// name it was uploaded under, never by the server's temporary path.
func (u *upload) failure(err error, status int) error {
	temp := regexp.MustCompile(regexp.QuoteMeta(u.dir) + `/f\d+/`)
	clean := func(s string) string { return temp.ReplaceAllString(s, "") }
	he := &httpError{status: status, msg: clean(err.Error())}
	var pe *canvass.ParseError
	if errors.As(err, &pe) {
		he.problems = []problem{{File: clean(pe.File), Record: pe.Record, Line: pe.Line, Field: pe.Field, Message: clean(pe.Err.Error())}}
	}
	return he
}
