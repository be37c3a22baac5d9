package modelarts

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegisterImageSendsTheDocumentedRequest(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var sent map[string]any
	mt.RegisterResponder("POST", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &sent))
		return jsonResponder(200, string(fixture(t, "register_response.json")))(r)
	})
	img, err := c.RegisterImage(context.Background(), &RegisterImageRequest{
		SWRPath:            "swr.xxx.com/op_svc_modelarts_container2/pytorch_1_8:train-pytorch_1.8.0-cuda_10.2-py_3.7",
		Arch:               ArchX86_64,
		ResourceCategories: []ResourceCategory{ResourceCategoryCPU},
	})
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "register_request.json"), &want))
	delete(want, "description") // the example sends "", which the SDK omits as unset
	assert.Equal(t, want, sent)
	assert.Equal(t, "708ca95d-c601-4dc7-86b9-670adfd5e818", img.ID)
	assert.Equal(t, ArchX86_64, img.Arch)
}

func TestRegisterImageSendsEveryFieldNormalised(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var sent map[string]any
	mt.RegisterResponder("POST", testEndpoint+projectPath+"/images", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &sent))
		return jsonResponder(201, `{"id":"i"}`)(r)
	})
	_, err := c.RegisterImage(context.Background(), &RegisterImageRequest{
		SWRPath: "swr.example.com/org/n:t", Arch: "aarch64", Description: "d", Origin: "customize",
		ResourceCategories: []ResourceCategory{"gpu", ResourceCategoryASCEND}, ServiceType: "train",
		Services: []DevService{"ssh"}, Visibility: "public", WorkspaceID: "0123456789abcdef0123456789abcdef",
	})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"swr_path": "swr.example.com/org/n:t", "arch": "AARCH64", "description": "d", "origin": "CUSTOMIZE",
		"resource_category": []any{"GPU", "ASCEND"}, "service_type": "TRAIN", "services": []any{"SSH"},
		"visibility": "PUBLIC", "workspace_id": "0123456789abcdef0123456789abcdef",
	}, sent)
}

func TestCreateImageFromNotebookSendsTheDocumentedRequest(t *testing.T) {
	c, mt, _ := newMockClient(t)
	var sent map[string]any
	mt.RegisterResponder("POST", testEndpoint+projectPath+"/notebooks/nb-x21d/create-image", func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &sent))
		return jsonResponder(200, string(fixture(t, "create_image_response.json")))(r)
	})
	img, err := c.CreateImageFromNotebook(context.Background(), "nb-x21d", &CreateImageRequest{
		Name: "pytorch1_4", Namespace: "atelier-auto", Tag: "20221223", Description: "save from notebook-x21d", WorkspaceID: "0",
	})
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "create_image_request.json"), &want))
	assert.Equal(t, want, sent)
	assert.Equal(t, "4e0d1854-63e5-4517-b683-a0ee97a692a1", img.ID)
	assert.Equal(t, "swr.xxxxx.com/atelier-auto/pytorch1_4:20221223", img.SWRPath)
}

func TestCreateImageOmitsUnsetFieldsAndSendsATagOfItsOwnWhenNoneIsGiven(t *testing.T) {
	c, mt, _ := newMockClient(t)
	c.now = func() time.Time { return time.Date(2026, 11, 29, 20, 30, 12, 0, time.FixedZone("CET", 3600)) }
	var sent map[string]any
	mt.RegisterResponder("POST", `=~/create-image$`, func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(b, &sent))
		return jsonResponder(200, `{"id":"i"}`)(r)
	})
	req := &CreateImageRequest{Name: "n", Namespace: "ns"}
	_, err := c.CreateImageFromNotebook(context.Background(), "nb", req)
	require.NoError(t, err)
	assert.Equal(t, "", req.Tag, "the caller's request is not changed")
	tag, _ := sent["tag"].(string)
	delete(sent, "tag")
	assert.Equal(t, map[string]any{"name": "n", "namespace": "ns"}, sent)
	assert.Regexp(t, `^20261129193012-[0-9a-f]{12}$`, tag, "UTC time, '-', 12 random hex digits")
	assert.Regexp(t, `^[A-Za-z0-9_-]{1,64}$`, tag, "valid under both editions of the page")

	_, err = c.CreateImageFromNotebook(context.Background(), "nb", req)
	require.NoError(t, err)
	assert.NotEqual(t, tag, sent["tag"], "each call chooses its own")

	_, err = c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns", Tag: "v1"})
	require.NoError(t, err)
	assert.Equal(t, "v1", sent["tag"], "a tag given is sent as given")
}

func TestCreateImageNotebookErrors(t *testing.T) {
	for code, target := range map[string]error{"ModelArts.6327": ErrNotebookNotRunning, "ModelArts.6357": ErrOperationInProgress, "ModelArts.6309": ErrNotFound} {
		c, mt, _ := newMockClient(t)
		mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(400, `{"error_code":"`+code+`","error_msg":"m"}`))
		_, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns"})
		assert.ErrorIs(t, err, target, code)
		assert.Equal(t, 1, mt.GetTotalCallCount(), "a 400 is not retried")
	}
}

func TestGetImage(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images/278e88d1-5b71-4766-8502-b3ba72e824d9",
		jsonResponder(200, string(fixture(t, "get_image_response.json"))))
	img, err := c.GetImage(context.Background(), "278e88d1-5b71-4766-8502-b3ba72e824d9")
	require.NoError(t, err)
	assert.Equal(t, "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04", img.Name)
	assert.Equal(t, ImageStatusActive, img.Status)

	mt.RegisterResponder("GET", `=~/images/missing$`, jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"not found"}`))
	_, err = c.GetImage(context.Background(), "missing")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestDeleteImage(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("DELETE", testEndpoint+projectPath+"/images/img-1", jsonResponder(200, `{"id":"img-1","status":"DELETED"}`))
	require.NoError(t, c.DeleteImage(context.Background(), "img-1"))
	mt.RegisterResponder("DELETE", testEndpoint+projectPath+"/images/img-2", jsonResponder(204, ``))
	require.NoError(t, c.DeleteImage(context.Background(), "img-2"), "an empty answer to a delete is fine")
	mt.RegisterResponder("DELETE", `=~/images/gone$`, jsonResponder(400, `{"error_code":"ModelArts.6404","error_msg":"nf"}`))
	assert.ErrorIs(t, c.DeleteImage(context.Background(), "gone"), ErrNotFound)
}

func TestGetNotebook(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/nb-1",
		jsonResponder(200, `{"id":"nb-1","name":"dev","status":"SNAPSHOTTING","flavor":"f","image":{"id":"i"},"url":"u","fail_reason":"","workspace_id":"0"}`))
	nb, err := c.GetNotebook(context.Background(), "nb-1")
	require.NoError(t, err)
	assert.Equal(t, NotebookStatusSnapshotting, nb.Status)
	assert.Equal(t, "i", nb.Image.ID)
	mt.RegisterResponder("GET", `=~/notebooks/nb-2$`, jsonResponder(400, `{"error_code":"ModelArts.6309","error_msg":"The instance does not exist."}`))
	_, err = c.GetNotebook(context.Background(), "nb-2")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestOddNumbersInAnswersAreTolerated(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("GET", `=~/images/x$`, jsonResponder(200, `{"id":"x","size":"2048","create_at":1.671708630448e12,"arch":"x86_64"}`))
	img, err := c.GetImage(context.Background(), "x")
	require.NoError(t, err)
	assert.Equal(t, int64(2048), img.Size)
	assert.Equal(t, int64(1671708630448), img.CreatedAt.UnixMilli())
	assert.Equal(t, ArchX86_64, img.Arch)

	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, `{"data":[{"id":"a","update_at":"1671708630448"}],"total":"1"}`))
	page, err := c.ListImagesPage(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, 1, page.Total)
	require.Len(t, page.Items, 1)
	assert.Equal(t, int64(1671708630448), page.Items[0].UpdatedAt.UnixMilli())

	mt.RegisterResponder("GET", `=~/images/y$`, jsonResponder(200, `{"id":"y","size":"huge"}`))
	_, err = c.GetImage(context.Background(), "y")
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "huge")
}

func TestCreatedAnswerWithoutIDIsLookedUpNotReportedAsFailure(t *testing.T) {
	c, mt, _ := newMockClient(t)
	mt.RegisterResponder("POST", `=~/create-image$`, jsonResponder(201, `{"name":"n"}`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, `{"data":[],"total":0}`))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/nb", jsonResponder(200, `{"id":"nb","status":"SNAPSHOTTING"}`))
	_, err := c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "n", Namespace: "ns"})
	require.ErrorIs(t, err, ErrCreateOutcomeUnknown)
	var de *DecodeError
	assert.False(t, errors.As(err, &de), "a success without the image is not a decode failure")
	assert.Contains(t, err.Error(), "the service answered success")
	assert.Equal(t, 1, mt.GetCallCountInfo()["POST =~/create-image$"], "never created twice")
}
