package modelarts_test

// The public surface as a caller meets it: headers scrubbed, typed nils
// refused, context errors keeping the last failure, enums normalised, nil
// requests refused, fakes able to read options.

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
)

const (
	reviewProject = "a4a5d4098fb4474fa22cd05f897d6b99"
	reviewToken   = "MIIT-review-secret-token-0123456789abcdef"
)

// reviewServer serves h on a loopback httptest server and returns a client
// of it with fast, bounded retries.
func reviewServer(t *testing.T, h http.HandlerFunc, opts ...modelarts.Option) (*modelarts.Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts = append([]modelarts.Option{
		modelarts.WithHTTPClient(srv.Client()),
		modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 2, ZeroWait: true}),
	}, opts...)
	c, err := modelarts.NewClient(srv.URL, reviewProject, auth.NewTokenSigner(reviewToken), opts...)
	require.NoError(t, err)
	return c, srv
}

// noPanic runs f and turns a panic into a test failure naming it.
func noPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", what, r)
		}
	}()
	f()
}

const imageJSON = `{"id":"img-1","name":"n","namespace":"ns","tag":"v1","status":"ACTIVE","arch":"x86_64","create_at":1700000000000,"update_at":1700000000000}`

// Response.Header is scrubbed of credentials and bounded, as its doc
// comment says (README "Secrets never come back out").
func TestResponseHeaderIsScrubbed(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo-Auth", r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, imageJSON)
	})
	var md modelarts.Response
	_, err := c.GetImage(context.Background(), "img-1", modelarts.WithResponse(&md))
	require.NoError(t, err)
	for _, s := range []string{fmt.Sprintf("%v", md), fmt.Sprintf("%+v", md), fmt.Sprintf("%#v", md)} {
		assert.NotContains(t, s, reviewToken, "a response header echoing the token is printed raw")
	}
}

// An *APIError scrubs its headers; check the same echo through the error
// path so the contrast with Response is pinned.
func TestAPIErrorHeaderIsScrubbed(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo-Auth", r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`)
	})
	_, err := c.GetImage(context.Background(), "img-1")
	var apiErr *modelarts.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, fmt.Sprintf("%#v", apiErr), reviewToken)
	assert.ErrorIs(t, err, modelarts.ErrNotFound)
}

// A typed nil signer (a *TokenSigner variable never assigned) must be
// refused with an error, not a panic.
func TestTypedNilSignerIsRefusedWithoutPanic(t *testing.T) {
	signers := map[string]auth.Signer{
		"*TokenSigner":    (*auth.TokenSigner)(nil),
		"*AKSKSigner":     (*auth.AKSKSigner)(nil),
		"*IAMTokenSigner": (*auth.IAMTokenSigner)(nil),
	}
	for name, s := range signers {
		noPanic(t, "NewClient with a nil "+name, func() {
			_, err := modelarts.NewClient("https://modelarts.cn-north-4.myhuaweicloud.com", reviewProject, s)
			assert.ErrorIs(t, err, modelarts.ErrInvalidRequest, name)
		})
	}
}

// A listing whose page holds a null item must not hand the caller a nil
// *Image (the caller's img.Name then panics) with a nil error.
func TestListImagesNeverYieldsANilImage(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[null,`+imageJSON+`],"total":2}`)
	})
	for img, err := range c.ListImages(context.Background(), &modelarts.ListImagesOptions{Type: modelarts.ImageTypeDedicated}) {
		if err == nil && img == nil {
			t.Fatal("ListImages yielded a nil *Image with a nil error")
		}
	}
	page, err := c.ListImagesPage(context.Background(), nil)
	if err == nil {
		for i, img := range page.Items {
			assert.NotNil(t, img, "ListImagesPage returned a nil image at %d with no error", i)
		}
	}
}

// GetImage answered 200 with the JSON literal null must not return
// (nil, nil).
func TestGetImageNullBodyIsNotNilNil(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `null`)
	})
	img, err := c.GetImage(context.Background(), "img-1")
	if err == nil {
		assert.NotNil(t, img, "GetImage returned (nil, nil) for a null body")
	}
	nb, err := c.GetNotebook(context.Background(), "nb-1")
	if err == nil {
		assert.NotNil(t, nb, "GetNotebook returned (nil, nil) for a null body")
	}
}

// README "Errors": a call ended by its context wraps both the context's
// error and the last failure, so errors.As finds the 503 behind a timeout.
func TestContextErrorKeepsTheLastAPIError(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		fmt.Fprint(w, `{"error_code":"ModelArts.0000","error_msg":"down"}`)
	}, modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1000, MinWait: 5 * time.Millisecond, MaxWait: 5 * time.Millisecond}))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.GetImage(ctx, "img-1")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var apiErr *modelarts.APIError
	assert.ErrorAs(t, err, &apiErr)
}

// WithUserAgent takes any string; one with a line break makes every request
// fail on the wire with an error that does not name the option. It should be
// refused by NewClient, as WithAttemptTimeout(0) is.
func TestWithUserAgentControlCharsRefused(t *testing.T) {
	_, err := modelarts.NewClient("https://modelarts.cn-north-4.myhuaweicloud.com", reviewProject,
		auth.NewTokenSigner(reviewToken), modelarts.WithUserAgent("app/1.0\r\nX-Injected: 1"))
	assert.ErrorIs(t, err, modelarts.ErrInvalidRequest, "a User-Agent with CR/LF is accepted and breaks every call later")
}

// Enums: "a value the SDK knows is normalised in any case (x86_64 is
// ArchX86_64)" on responses too.
func TestResponseEnumsAreNormalised(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, imageJSON)
	})
	img, err := c.GetImage(context.Background(), "img-1")
	require.NoError(t, err)
	assert.Equal(t, modelarts.ArchX86_64, img.Arch)
}

// WaitForImage with a nil condition must be refused, not panic.
func TestWaitForImageNilCondIsRefused(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, imageJSON)
	})
	noPanic(t, "WaitForImage(nil cond)", func() {
		_, err := c.WaitForImage(context.Background(), "img-1", nil)
		assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
	})
}

// Nil progress callbacks must be refused or ignored, not panic.
func TestNilProgressCallbackIsTolerated(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, imageJSON)
	})
	noPanic(t, "WithProgress(nil)", func() {
		_, _ = c.WaitForActive(context.Background(), "img-1", modelarts.WithProgress(nil))
	})
}

// WithCallDefaults(WithResponse(&md)) makes every call of the client, from
// every goroutine, write the same *Response: a data race by construction.
// It should be refused like WithForce is.
func TestWithCallDefaultsRefusesASharedResponse(t *testing.T) {
	var md modelarts.Response
	_, err := modelarts.NewClient("https://modelarts.cn-north-4.myhuaweicloud.com", reviewProject,
		auth.NewTokenSigner(reviewToken), modelarts.WithCallDefaults(modelarts.WithResponse(&md)))
	assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
}

// WaitError keeps two names for the same facts (ImageID/ID and
// LastStatus/Status, "as before waits covered more than images"): a
// pre-v1 compatibility shim that v1 would have to keep forever.
func TestWaitErrorHasNoDuplicateFields(t *testing.T) {
	typ := reflect.TypeOf(modelarts.WaitError{})
	for _, f := range []string{"ImageID", "LastStatus"} {
		_, ok := typ.FieldByName(f)
		assert.False(t, ok, "WaitError.%s duplicates ID/Status", f)
	}
}

// A user's fake of an interface over *Client receives ...CallOption (a
// wait ...WaitOption, a delete ...DeleteOption) but has no exported way to
// read them (was WithForce given? which timeout?): the options are sealed
// interfaces with only unexported methods. A resolver per kind reads them.
func TestCallOptionsReadableByFakes(t *testing.T) {
	var md modelarts.Response
	got, err := modelarts.ResolveDeleteSettings(modelarts.WithForce(), modelarts.WithResponse(&md), modelarts.WithAttemptTimeout(time.Minute))
	require.NoError(t, err)
	assert.True(t, got.Force, "a fake can tell DeleteImage(id) from DeleteImage(id, WithForce())")
	assert.Same(t, &md, got.Response)
	assert.Equal(t, time.Minute, got.AttemptTimeout)
	wait, err := modelarts.ResolveWaitSettings(modelarts.WithPollInterval(time.Second, time.Minute), modelarts.WithNotFoundGrace(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, time.Second, wait.PollMin)
	assert.Equal(t, time.Minute, wait.PollMax)
	assert.Equal(t, time.Hour, wait.NotFoundGrace)
	none, err := modelarts.ResolveCallSettings()
	require.NoError(t, err)
	assert.False(t, none.Force)
	assert.Equal(t, modelarts.DefaultPollMin, none.PollMin)
	_, err = modelarts.ResolveCallSettings(nil)
	assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
	_, err = modelarts.ResolveWaitSettings(modelarts.WithPollInterval(time.Minute, time.Second))
	assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
}

// The error of a validation names the field and rule; check it says what
// to do for a nil request.
func TestNilRequestsAreRefused(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("no request expected") })
	noPanic(t, "nil requests", func() {
		_, err := c.RegisterImage(context.Background(), nil)
		assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
		_, err = c.CreateImageFromNotebook(context.Background(), "nb-1", nil)
		assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
		_, err = c.UpdateImageGroup(context.Background(), "g", nil)
		assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
		_, err = c.CreateSaveImageJob(context.Background(), "j", "t", nil)
		t.Logf("CreateSaveImageJob(nil): %v", err)
		_, err = c.SaveNotebookAsImage(context.Background(), "nb-1", nil)
		assert.ErrorIs(t, err, modelarts.ErrInvalidRequest)
	})
}

// A nil AKSKOption or IAMOption panics inside the constructor, although both
// constructors return an error (and modelarts.NewClient refuses a nil Option).
func TestAuthNilOptionIsAnError(t *testing.T) {
	noPanic(t, "NewAKSKSigner(ak, sk, nil)", func() {
		_, err := auth.NewAKSKSigner("AKAKAKAKAKAKAKAKAKAK", "SKSKSKSKSKSKSKSKSKSKSKSKSKSKSKSK", nil)
		assert.Error(t, err)
	})
	noPanic(t, "NewIAMTokenSigner(creds, nil)", func() {
		_, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com",
			DomainName: "d", Username: "u", Password: auth.NewSecret("p-review-secret"), ProjectName: "cn-north-4"}, nil)
		assert.Error(t, err)
	})
}

// SecretRedactor skips secrets shorter than 4 bytes, yet NewClient accepts
// such a token, so "no token in any error string" is not unconditional: a
// 3-character token echoed by the server reaches Error().
func TestTooShortTokenIsRefusedOrRedacted(t *testing.T) {
	const short = "q7Z"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error_code":"ModelArts.0203","error_msg":"bad token %s"}`, r.Header.Get("X-Auth-Token"))
	}))
	defer srv.Close()
	c, err := modelarts.NewClient(srv.URL, reviewProject, auth.NewTokenSigner(short), modelarts.WithHTTPClient(srv.Client()), modelarts.WithRetry(modelarts.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return // refusing a token too short to redact is a fix
	}
	_, err = c.GetImage(context.Background(), "img-1")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), short, "the token is in the error string")
}

// The message of a rejected token says what failed but not what to do
// (COMMON.md: messages say what failed, where, what to do). A static token
// cannot be refreshed: the message should say to get a new token or use
// auth.NewIAMTokenSigner.
func TestUnauthorizedMessageSaysWhatToDo(t *testing.T) {
	c, _ := reviewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error_code":"ModelArts.0202","error_msg":"Authentication failed"}`)
	})
	_, err := c.GetImage(context.Background(), "img-1")
	require.ErrorIs(t, err, modelarts.ErrUnauthorized)
	assert.Contains(t, strings.ToLower(err.Error()), "token", "the message gives no hint what to do: %q", err.Error())
}

// Each NewClient without WithHTTPClient clones its own transport (pool of
// up to 100 idle connections per host) and Client has no Close: a program
// that builds a client per request, per tenant or per test keeps one idle
// connection (and two transport goroutines) per client until the 90 s idle
// timeout, with no way to release them.
func TestDroppedClientsLeaveNoPoolBehind(t *testing.T) {
	var open atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, imageJSON)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	const clients = 10
	for i := 0; i < clients; i++ {
		c, err := modelarts.NewClient(srv.URL, reviewProject, auth.NewTokenSigner(reviewToken))
		require.NoError(t, err)
		_, err = c.GetImage(context.Background(), "img-1")
		require.NoError(t, err)
		// The client is dropped here; nothing exported can close its pool.
	}
	assert.LessOrEqual(t, int(open.Load()), 1, "%d clients built and dropped hold %d open connections", clients, open.Load())
}

// The same wire field "tags" has three Go shapes across similar calls:
// Image.Tags and UpdateImageGroupRequest.Tags are []Tag,
// RegisterImageRequest.Tags is []string and ListNotebooksOptions.Tags a
// string. Aligning them after v1 changes a field's type: a breaking change.
//
// Decided: each follows its wire form. RegisterImage's tags are strings on
// the wire (the official SDK's model, which decodes our body strictly), the
// ListNotebooks filter is one query string whose item syntax is
// undocumented, and responses carry {key, value} objects.
func TestTagsFieldsFollowTheirWireForms(t *testing.T) {
	for name, tc := range map[string]struct {
		typ  reflect.Type
		want reflect.Type
	}{
		"RegisterImageRequest":    {reflect.TypeOf(modelarts.RegisterImageRequest{}), reflect.TypeOf([]string(nil))},
		"ListNotebooksOptions":    {reflect.TypeOf(modelarts.ListNotebooksOptions{}), reflect.TypeOf("")},
		"Image":                   {reflect.TypeOf(modelarts.Image{}), reflect.TypeOf([]modelarts.Tag(nil))},
		"UpdateImageGroupRequest": {reflect.TypeOf(modelarts.UpdateImageGroupRequest{}), reflect.TypeOf([]modelarts.Tag(nil))},
	} {
		f, ok := tc.typ.FieldByName("Tags")
		require.True(t, ok, name)
		assert.Equal(t, tc.want, f.Type, name)
	}
}
