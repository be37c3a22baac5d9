package modelarts

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func TestEndpointRepeatingTheAPIPathIsRefusedSayingWhatToDrop(t *testing.T) {
	for in, suggest := range map[string]string{
		"https://modelarts.cn-north-4.myhuaweicloud.com/v1":                "https://modelarts.cn-north-4.myhuaweicloud.com",
		"https://modelarts.cn-north-4.myhuaweicloud.com/v1/":               "https://modelarts.cn-north-4.myhuaweicloud.com",
		"https://modelarts.cn-north-4.myhuaweicloud.com/v1/" + testProject: "https://modelarts.cn-north-4.myhuaweicloud.com",
		"https://gw.example.com/modelarts/v1":                              "https://gw.example.com/modelarts",
		"https://gw.example.com/modelarts/v1/" + testProject + "/":         "https://gw.example.com/modelarts",
	} {
		_, err := NewClient(in, testProject, auth.NewTokenSigner(testToken))
		require.ErrorIs(t, err, ErrInvalidRequest, in)
		assert.Contains(t, err.Error(), "drop it", in)
		assert.Contains(t, err.Error(), `"`+suggest+`"`, in)
	}
}

func TestEndpointPrefixIsHonouredAndShownInErrors(t *testing.T) {
	mt := httpmock.NewMockTransport()
	c, err := NewClient("https://gw.example.com/modelarts/", testProject, auth.NewTokenSigner(testToken), WithHTTPClient(&http.Client{Transport: mt}), WithRetry(RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	assert.Equal(t, "https://gw.example.com/modelarts", c.Endpoint())
	want := "https://gw.example.com/modelarts/v1/" + testProject + "/images/img-1"
	mt.RegisterResponder("GET", want, jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"image not found"}`))
	_, err = c.GetImage(context.Background(), "img-1")
	require.ErrorIs(t, err, ErrNotFound)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/modelarts/v1/"+testProject+"/images/img-1", apiErr.Path, "the path actually sent")
	assert.Equal(t, 1, mt.GetCallCountInfo()["GET "+want])
}

func TestEndpointWithUserInfoIsRefusedWithoutPrintingIt(t *testing.T) {
	for _, in := range []string{"https://alice:s3cret-pass@modelarts.example.com", "http://alice:s3cret-pass@127.0.0.1:8080", "ftp://alice:s3cret-pass@x"} {
		_, err := NewClient(in, testProject, auth.NewTokenSigner(testToken))
		require.ErrorIs(t, err, ErrInvalidRequest, in)
		assert.Contains(t, err.Error(), "user info")
		assert.NotContains(t, err.Error(), "s3cret-pass")
	}
}

func TestQueryValuesUseP20ForSpacesAsTheOfficialSDK(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var raw string
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		raw = r.URL.RawQuery
		return jsonResponder(200, `{"data":[],"total":0}`)(r)
	})
	_, err := c.ListImagesPage(context.Background(), &ListImagesOptions{ShowName: "PyTorch 2.1 + CUDA"})
	require.NoError(t, err)
	assert.Equal(t, "show_name=PyTorch%202.1%20%2B%20CUDA", raw)
}
