package modelarts

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Fuzz targets; `go test` runs their seed corpora (f.Add and
// testdata/fuzz) as ordinary tests, `go test -fuzz=FuzzX` explores.

func FuzzDecodeImage(f *testing.F) {
	for _, name := range []string{"register_response.json", "get_image_response.json", "create_image_response.json"} {
		f.Add(fixture(f, name))
	}
	for _, s := range []string{`{}`, `null`, `{"create_at":"1.5e3","size":"12"}`, `{"arch":"Ｘ86_64"}`,
		`{"create_at":-1,"update_at":9223372036854775807}`, `{"dev_services":null,"resource_categories":[""]}`,
		`{"size":1e300}`, `{"status":"\u0000"}`, `[`, `{"id":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		decoded, err := decodeImage(data)
		if err != nil {
			return
		}
		img := *decoded
		out, err := json.Marshal(img)
		if err != nil {
			t.Fatalf("a decoded image does not encode: %v", err)
		}
		var again Image
		if err := json.Unmarshal(out, &again); err != nil {
			t.Fatalf("an encoded image does not decode: %v\n%s", err, out)
		}
		if !again.CreatedAt.Equal(img.CreatedAt.Time) || !again.UpdatedAt.Equal(img.UpdatedAt.Time) || again.Size != img.Size ||
			again.Status != img.Status || again.Arch != img.Arch || again.ID != img.ID {
			t.Fatalf("round trip changed the image:\n%+v\n%+v", img, again)
		}
	})
}

func FuzzParseAPIError(f *testing.F) {
	for _, s := range []string{
		`{"error_code":"ModelArts.6404","error_msg":"not found"}`, `{"error_code":"X","error_message":"m"}`,
		`{"code":"APIGW.0303","message":"expired","request_id":"r"}`, `{"code":401}`, `<html>502</html>`, ``,
		`{"code":{"nested":true}}`, `{"error_msg":` + strings.Repeat(`"x`, 10) + `}`, "\xff\xfe",
	} {
		f.Add(400, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := parseAPIError(status, http.Header{"X-Request-Id": {"req"}}, []byte(body), false, textutil.Shorten)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "modelarts: ") {
			t.Fatalf("message %q", msg)
		}
		if !strings.HasPrefix(strings.TrimSpace(body), "{") && len(e.Message) > 250 {
			t.Fatalf("a non-JSON body was not shortened: %d bytes", len(e.Message))
		}
		_ = e.Is(ErrNotFound)
	})
}

func FuzzValidateCreateImageRequest(f *testing.F) {
	f.Add("pytorch1_4", "atelier-auto", "20221223", "save from notebook-x21d", "0")
	f.Add("a", "b", "", "", "")
	f.Add("A", "1", "v 1", strings.Repeat("é", 600), "\n")
	f.Fuzz(func(t *testing.T, name, ns, tag, desc, ws string) {
		r := &CreateImageRequest{Name: name, Namespace: ns, Tag: tag, Description: desc, WorkspaceID: ws}
		if err := r.validate(); err != nil {
			if !strings.Contains(err.Error(), "modelarts: invalid ") {
				t.Fatalf("message %q", err)
			}
			return
		}
		if len(name) == 0 || len(name) > maxImageNameLen || strings.ToLower(name) != name || strings.ContainsAny(name, "/ :") {
			t.Fatalf("accepted name %q", name)
		}
		if len(ns) == 0 || len(ns) > maxNamespaceLen || strings.ContainsAny(ns, "/ :") {
			t.Fatalf("accepted namespace %q", ns)
		}
		if len(tag) > maxTagLen || strings.ContainsAny(tag, "/ :") {
			t.Fatalf("accepted tag %q", tag)
		}
		if utf8.RuneCountInString(desc) > maxDescriptionLen {
			t.Fatalf("accepted a description of %d characters", utf8.RuneCountInString(desc))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzValidateID(f *testing.F) {
	for _, s := range []string{"4e0d1854-63e5-4517-b683-a0ee97a692a1", "../x", "a/b", "%2F", "..", "a?b", "a#b", "ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if validateID("image id", id) != nil {
			return
		}
		if url.PathEscape(id) != id || strings.Trim(id, ".") == "" || strings.ContainsAny(id, "/?#%\\") {
			t.Fatalf("accepted %q, which could change the path", id)
		}
		u, err := url.Parse("https://h/v1/p/images/" + url.PathEscape(id))
		if err != nil || u.Path != "/v1/p/images/"+id {
			t.Fatalf("id %q does not stay one path segment: %v", id, err)
		}
	})
}

func FuzzValidateRegisterImageRequest(f *testing.F) {
	f.Add("swr.x.com/org/name:tag", "X86_64", "CPU", "TRAIN")
	f.Add("", "", "", "")
	f.Add("a b", "sparc", "TPU", "x")
	f.Add("swr.example.com/org/name:tag", "RISCV64", "TPU", "SERVE") // open enums: accepted
	f.Add("swr.example.com/org/name:tag", "X86\n", "CPU", "")        // control character: refused
	f.Fuzz(func(t *testing.T, swr, arch, cat, svc string) {
		r := &RegisterImageRequest{SWRPath: swr, Arch: Arch(arch), ResourceCategories: []ResourceCategory{ResourceCategory(cat)}, ServiceType: ServiceType(svc)}
		if r.validate() != nil {
			return
		}
		// Enums are open: any value is accepted that a header-free JSON
		// string can carry and the documented lengths allow.
		printable := func(s string) bool {
			return !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
		}
		if len(swr) < minSWRPathLen || len(swr) > maxSWRPathLen || strings.ContainsAny(swr, " \t\r\n") || !printable(swr) ||
			len(arch) > maxEnumLen || !printable(arch) || cat == "" || len(cat) > maxEnumLen || !printable(cat) ||
			len(svc) > maxEnumLen || !printable(svc) {
			t.Fatalf("accepted %+v", r)
		}
	})
}
