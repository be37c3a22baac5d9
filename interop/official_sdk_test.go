package interop

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	v1 "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/modelarts/v1/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/modelartstest"
)

// exchange is one request the official SDK sent and the answer it got.
type exchange struct {
	method, path string
	header       http.Header
	status       int
	body         []byte
}

// recorder is the official SDK's transport: it passes requests to the
// fake's own transport (so Close shuts its connections) and keeps each
// exchange, so a test can see the raw answer the SDK decoded.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	r.mu.Lock()
	r.seen = append(r.seen, exchange{req.Method, req.URL.Path, req.Header.Clone(), resp.StatusCode, b})
	r.mu.Unlock()
	return resp, nil
}

// last returns the body of the last answer.
func (r *recorder) last() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[len(r.seen)-1].body
}

func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// officialClient is the official SDK's ModelArts client on the fake: the
// endpoint is the fake's plain-http URL, used as given (an endpoint with a
// scheme is not rewritten to https), and no region, so the project ID is
// taken from the credentials rather than looked up in IAM.
func officialClient(t *testing.T, srv *modelartstest.Server, ak, sk, securityToken string) (*v1.ModelArtsClient, *recorder) {
	t.Helper()
	b := basic.NewCredentialsBuilder().WithAk(ak).WithSk(sk).WithProjectId(srv.ProjectID())
	if securityToken != "" {
		b = b.WithSecurityToken(securityToken)
	}
	creds, err := b.SafeBuild()
	require.NoError(t, err)
	rec := &recorder{base: srv.HTTPClient().Transport}
	hc, err := v1.ModelArtsClientBuilder().
		WithEndpoints([]string{srv.URL()}).
		WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpRoundTripper(rec)).
		SafeBuild()
	require.NoError(t, err)
	return v1.NewModelArtsClient(hc), rec
}

func TestOfficialSDKAgainstFake(t *testing.T) {
	for _, kind := range []struct {
		name, token string
		option      modelartstest.ServerOption
	}{
		{"permanent AK/SK", "", modelartstest.WithAKSK("HPUAXR7YWRSNL8JQ1XKE", "official-sdk-secret-key")},
		{"temporary AK/SK with a security token", "gQpjbi1ub3J0aC00-security-token",
			modelartstest.WithTemporaryAKSK("HPUAXR7YWRSNL8JQ1XKE", "official-sdk-secret-key", "gQpjbi1ub3J0aC00-security-token")},
	} {
		t.Run(kind.name, func(t *testing.T) {
			srv := modelartstest.NewServer(kind.option)
			defer srv.Close()
			c, rec := officialClient(t, srv, "HPUAXR7YWRSNL8JQ1XKE", "official-sdk-secret-key", kind.token)
			exerciseAllCalls(t, srv, c, rec)
			assertOfficialSigning(t, rec.exchanges(), kind.token)
		})
	}
}

// exerciseAllCalls makes the five calls with the official client and
// checks each typed answer against the raw one.
func exerciseAllCalls(t *testing.T, srv *modelartstest.Server, c *v1.ModelArtsClient, rec *recorder) {
	// ListImage: the built-in images, the server's default type.
	builtIns, err := c.ListImage(&model.ListImageRequest{})
	require.NoError(t, err)
	checkListDecoded(t, rec.last(), builtIns, listFields, builtInFields)
	require.NotNil(t, builtIns.Data)
	require.NotEmpty(t, *builtIns.Data)
	for _, img := range *builtIns.Data {
		assert.Equal(t, "BUILD_IN", img.Type.Value())
	}

	// ShowImage: a built-in image.
	builtInID := *(*builtIns.Data)[0].Id
	shown, err := c.ShowImage(&model.ShowImageRequest{Id: builtInID})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), shown, builtInFields)
	assert.Equal(t, builtInID, *shown.Id)

	// RegisterImage, with every enum the request model has.
	desc := "registered by the official SDK: ü & <tags>"
	arch := model.GetImageRegRequestArchEnum().X86_64
	origin := model.GetImageRegRequestOriginEnum().CUSTOMIZE
	svcType := model.GetImageRegRequestServiceTypeEnum().TRAIN
	vis := model.GetImageRegRequestVisibilityEnum().PRIVATE
	services := []model.ImageRegRequestServices{model.GetImageRegRequestServicesEnum().NOTEBOOK, model.GetImageRegRequestServicesEnum().SSH}
	cats := []model.ImageRegRequestResourceCategory{model.GetImageRegRequestResourceCategoryEnum().CPU}
	swr := "swr.cn-north-4.myhuaweicloud.com/team/interop-registered:v1"
	reg, err := c.RegisterImage(&model.RegisterImageRequest{Body: &model.ImageRegRequest{
		SwrPath: swr, Description: &desc, Arch: &arch, Origin: &origin, ServiceType: &svcType,
		Visibility: &vis, Services: &services, ResourceCategory: &cats,
	}})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), reg, registeredFields)
	assert.Equal(t, swr, *reg.SwrPath)
	assert.Equal(t, desc, *reg.Description)
	assert.Equal(t, "ACTIVE", reg.Status.Value())
	assert.Equal(t, "TRAIN", reg.ServiceType.Value())
	assert.Equal(t, "CUSTOMIZE", reg.Origin.Value())
	assert.Equal(t, "PRIVATE", reg.Visibility.Value())
	assert.Equal(t, "DEDICATED", reg.Type.Value())

	// ShowImage: the registered image.
	shown, err = c.ShowImage(&model.ShowImageRequest{Id: *reg.Id})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), shown, registeredFields)

	// ListImage: own images, by exact name. name_fuzzy_match is sent
	// explicitly: the official model documents true as its default.
	typ := model.GetListImageRequestTypeEnum().DEDICATED
	name, exact, limit := "interop-registered", false, int32(10)
	own, err := c.ListImage(&model.ListImageRequest{Type: &typ, Name: &name, NameFuzzyMatch: &exact, Limit: &limit})
	require.NoError(t, err)
	checkListDecoded(t, rec.last(), own, listFields, ownFields)
	require.NotNil(t, own.Data)
	require.Len(t, *own.Data, 1)
	assert.Equal(t, *reg.Id, *(*own.Data)[0].Id)
	assert.Equal(t, int64(1), *own.Total)

	// CreateImage: save a running notebook, then read it until ACTIVE.
	srv.AddNotebook("0b5a0b2e-7c6e-4bb1-9b6e-3c0c6e1d2f47", "RUNNING")
	tag, saveDesc := "v1", "saved by the official SDK"
	saved, err := c.CreateImage(&model.CreateImageRequest{Id: "0b5a0b2e-7c6e-4bb1-9b6e-3c0c6e1d2f47", Body: &model.ImageCreateReq{
		Name: "interop-saved", Namespace: "team", Tag: &tag, Description: &saveDesc,
	}})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), saved, savingFields)
	assert.Equal(t, "INIT", saved.Status.Value())
	assert.Equal(t, "IMAGE_SAVE", saved.Origin.Value())
	status := saved.Status.Value()
	for reads := 0; status != "ACTIVE"; reads++ {
		require.Less(t, reads, 10, "the saved image never became ACTIVE; last status %s", status)
		shown, err = c.ShowImage(&model.ShowImageRequest{Id: *saved.Id})
		require.NoError(t, err)
		status = shown.Status.Value()
		if status == "ACTIVE" {
			checkDecoded(t, rec.last(), shown, savedFields)
		} else {
			checkDecoded(t, rec.last(), shown, savingFields)
		}
	}

	// DeleteImage: with the optional body, and without.
	force := false
	deleted, err := c.DeleteImage(&model.DeleteImageRequest{Id: *saved.Id, Body: &model.DeleteImageRequestBody{IsForce: &force}})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), deleted, savedFields)
	assert.Equal(t, "DELETED", deleted.Status.Value())
	deleted, err = c.DeleteImage(&model.DeleteImageRequest{Id: *reg.Id})
	require.NoError(t, err)
	checkDecoded(t, rec.last(), deleted, registeredFields)
	assert.Equal(t, "DELETED", deleted.Status.Value())

	// The fake's errors decode into the official SDK's error type.
	_, err = c.ShowImage(&model.ShowImageRequest{Id: *reg.Id})
	var svcErr *sdkerr.ServiceResponseError
	require.True(t, errors.As(err, &svcErr), "%T: %v", err, err)
	assert.Equal(t, 400, svcErr.StatusCode)
	assert.Equal(t, "ModelArts.6404", svcErr.ErrorCode)
	assert.NotEmpty(t, svcErr.ErrorMessage)
	assert.NotEmpty(t, svcErr.RequestId)
}

// assertOfficialSigning checks that the requests were signed the official
// SDK's way, so that the suite exercises what issue 11 reported: no host in
// SignedHeaders, and the security token sent and signed when there is one.
func assertOfficialSigning(t *testing.T, seen []exchange, securityToken string) {
	t.Helper()
	require.NotEmpty(t, seen)
	for _, e := range seen {
		authz := e.header.Get("Authorization")
		require.True(t, strings.HasPrefix(authz, "SDK-HMAC-SHA256 "), "%s %s: %q", e.method, e.path, authz)
		signed := signedHeaders(authz)
		assert.NotContains(t, signed, "host", "%s %s", e.method, e.path)
		assert.Contains(t, signed, "x-sdk-date", "%s %s", e.method, e.path)
		assert.Contains(t, signed, "x-project-id", "%s %s", e.method, e.path)
		if securityToken != "" {
			assert.Equal(t, securityToken, e.header.Get("X-Security-Token"))
			assert.Contains(t, signed, "x-security-token", "%s %s", e.method, e.path)
		} else {
			assert.Empty(t, e.header.Get("X-Security-Token"))
		}
	}
}

// signedHeaders returns the SignedHeaders list of an Authorization value.
func signedHeaders(authz string) []string {
	for _, part := range strings.Split(authz, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "SignedHeaders="); ok {
			return strings.Split(v, ";")
		}
	}
	return nil
}

// The fake's gateway does refuse the official SDK when it should: a wrong
// SK, and a temporary key pair without its token.
func TestOfficialSDKRefusedWithBadCredentials(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKPERM", "SKPERM"),
		modelartstest.WithTemporaryAKSK("AKTEMP", "SKTEMP", "sts-token"))
	defer srv.Close()
	for _, bad := range []struct{ name, ak, sk, token string }{
		{"wrong SK", "AKPERM", "SKWRONG", ""},
		{"unknown AK", "AKNONE", "SKPERM", ""},
		{"temporary key without its token", "AKTEMP", "SKTEMP", ""},
		{"temporary key with another token", "AKTEMP", "SKTEMP", "other-token"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			c, _ := officialClient(t, srv, bad.ak, bad.sk, bad.token)
			_, err := c.ListImage(&model.ListImageRequest{})
			var svcErr *sdkerr.ServiceResponseError
			require.True(t, errors.As(err, &svcErr), "%T: %v", err, err)
			assert.Equal(t, 401, svcErr.StatusCode)
			assert.Equal(t, "APIGW.0301", svcErr.ErrorCode)
			assert.NotContains(t, svcErr.ErrorMessage, bad.sk)
		})
	}
}

// For a content type other than JSON the official signer sends
// X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD and signs that literal instead of
// the body hash; the fake's gateway accepts it, as the real one does.
func TestFakeAcceptsOfficialUnsignedPayload(t *testing.T) {
	srv := modelartstest.NewServer(modelartstest.WithAKSK("AKPERM", "SKPERM"))
	defer srv.Close()
	req := request.NewHttpRequestBuilder().
		WithEndpoint(srv.URL()).
		WithPath("/v1/"+srv.ProjectID()+"/images").
		WithMethod("POST").
		AddHeaderParam("Content-Type", "text/plain").
		AddHeaderParam("X-Project-Id", srv.ProjectID()).
		WithBody("", `{"swr_path":"swr.cn-north-4.myhuaweicloud.com/team/unsigned:v1"}`).
		Build()
	added, err := signer.Sign(req, "AKPERM", "SKPERM")
	require.NoError(t, err)
	httpReq, err := req.ConvertRequest()
	require.NoError(t, err)
	for k, v := range added {
		httpReq.Header.Set(k, v)
	}
	require.Equal(t, "UNSIGNED-PAYLOAD", httpReq.Header.Get("X-Sdk-Content-Sha256"))
	require.Contains(t, signedHeaders(httpReq.Header.Get("Authorization")), "x-sdk-content-sha256")

	resp, err := srv.HTTPClient().Do(httpReq)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode, "%s", b)
}
