package modelarts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const nbID = "6fa459ea-ee8a-3ca4-894e-db77e160355e"

func notebookJSON(id, status string) string {
	return fmt.Sprintf(`{"id":%q,"name":"nb","status":%q,"fail_reason":"reason-%s"}`, id, status, status)
}

func TestSyncImage(t *testing.T) {
	rec := newRecorder(t)
	rec.on("POST", "/images/img-1/sync", ok(string(fixture(t, "get_image_response.json"))))
	c, _ := rec.client(t)
	img, err := c.SyncImage(context.Background(), "img-1")
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, recorded{Method: "POST", Path: projectPath + "/images/img-1/sync"}, reqs[0], "no query, no body")
	assert.Equal(t, "278e88d1-5b71-4766-8502-b3ba72e824d9", img.ID)
	assert.Equal(t, ArchX86_64, img.Arch, "enums normalised")
	assert.Equal(t, ImageStatusActive, img.Status)

	_, err = c.SyncImage(context.Background(), "a/b")
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Len(t, rec.requests(), 1, "an invalid ID is not sent")
}

func TestNotebookDecodesEveryModelledField(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks/"+nbID, ok(string(fixture(t, "notebook_response.json"))))
	c, _ := rec.client(t)
	nb, err := c.GetNotebook(context.Background(), nbID)
	require.NoError(t, err)
	assert.Equal(t, nbID, nb.ID)
	assert.Equal(t, "dev box", nb.Description)
	assert.Equal(t, NotebookStatusRunning, nb.Status)
	assert.Equal(t, NotebookFeatureNotebook, nb.Feature, "lowercase feature normalised")
	assert.Equal(t, []NotebookProgressStep{{Step: 1, Status: "COMPLETED", Description: "prepare storage"},
		{Step: 2, Status: "PROCESSING", Description: "prepare compute resources"}}, nb.ActionProgress)
	assert.Equal(t, []NotebookEndpoint{{DevService: DevServiceSSH, Service: DevServiceSSH, URI: "192.168.0.12",
		KeyPairNames: []string{"KeyPair-3d8f"}}}, nb.Endpoints)
	require.NotNil(t, nb.Lease)
	assert.Equal(t, NotebookLease{Enable: true, Type: LeaseTypeTiming, DurationMillis: 3600000,
		CreatedAt: Timestamp{time.UnixMilli(1638841744915).UTC()}, UpdatedAt: Timestamp{time.UnixMilli(1638841744915).UTC()}}, *nb.Lease)
	assert.Equal(t, &NotebookPool{ID: "pool-7d0a", Name: "dedicated-pool"}, nb.Pool)
	assert.Equal(t, &NotebookVolume{Capacity: 5, Category: "EVS", MountPath: "/home/ma-user/work/", Ownership: "MANAGED", Status: "MOUNTED"}, nb.Volume)
	assert.Equal(t, &NotebookUser{ID: "15dda26361214ca2a5953d0e8ab9a1e7", Name: "alice", Domain: &NotebookUser{ID: "d6a1", Name: "acme"}}, nb.User)
	assert.Equal(t, []string{"STORAGE", "COMPUTE"}, nb.BillingItems)
	assert.Equal(t, "192.168.0.3", nb.IP)
	assert.Equal(t, "3.4.8", nb.JupyterVersion)
	assert.Equal(t, []Tag{{Key: "env", Value: "dev"}}, nb.Tags)
	assert.Equal(t, "modelarts.vm.cpu.2u", nb.Flavor)
	// The image is the full Image object, normalised like any image.
	assert.Equal(t, "278e88d1-5b71-4766-8502-b3ba72e824d9", nb.Image.ID)
	assert.Equal(t, ImageTypeBuildIn, nb.Image.Type)
	assert.Equal(t, ArchX86_64, nb.Image.Arch)
	assert.Equal(t, ImageStatusActive, nb.Image.Status)
	assert.Equal(t, []Tag{{Key: "team", Value: "ml"}}, nb.Image.Tags)
	assert.Equal(t, int64(1638234504492), nb.Image.CreatedAt.UnixMilli())
}

func TestNotebookNeverCarriesItsAccessToken(t *testing.T) {
	var nb Notebook
	require.NoError(t, json.Unmarshal(fixture(t, "notebook_response.json"), &nb))
	out, err := json.Marshal(nb)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "NOTEBOOK-SECRET-TOKEN")
	assert.NotContains(t, fmt.Sprintf("%+v", nb), "NOTEBOOK-SECRET-TOKEN")
}

func TestNotebookStatusPredicates(t *testing.T) {
	failure := map[NotebookStatus]bool{"CREATE_FAILED": true, "START_FAILED": true, "DELETE_FAILED": true, "ERROR": true, "DELETED": true, "FROZEN": true}
	transitional := map[NotebookStatus]bool{"INIT": true, "CREATING": true, "STARTING": true, "STOPPING": true, "DELETING": true, "SNAPSHOTTING": true}
	for _, s := range notebookStatusValues {
		assert.Equal(t, failure[s], s.IsFailure(), "IsFailure(%s)", s)
		assert.Equal(t, transitional[s], s.IsTransitional(), "IsTransitional(%s)", s)
	}
	assert.False(t, NotebookStatus("HIBERNATING").IsFailure(), "an unknown status is neither")
	assert.False(t, NotebookStatus("HIBERNATING").IsTransitional())
}

func TestListNotebooksSendsEveryFilter(t *testing.T) {
	rec := newRecorder(t)
	rec.on("GET", "/notebooks", ok(`{"current":1,"data":[`+string(fixture(t, "notebook_response.json"))+`],"pages":1,"size":50,"total":1}`))
	c, _ := rec.client(t)
	page, err := c.ListNotebooksPage(context.Background(), &ListNotebooksOptions{
		Limit: 50, Offset: 3, Name: "dev_box-1", Status: "running", Feature: "notebook", PoolID: "pool-7d0a",
		Owner: "15dda26361214ca2a5953d0e8ab9a1e7", Flavor: "modelarts.vm.cpu.2u", ImageID: "img-1", ID: nbID,
		Billing: "COMPUTE", WorkspaceID: "0", Tags: "env=dev|team=ml", SortKey: "create_at", SortDir: "asc",
	})
	require.NoError(t, err)
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET", reqs[0].Method)
	assert.Equal(t, projectPath+"/notebooks", reqs[0].Path)
	assert.Equal(t, "billing=COMPUTE&feature=NOTEBOOK&flavor=modelarts.vm.cpu.2u&id="+nbID+"&image_id=img-1&limit=50"+
		"&name=dev_box-1&offset=3&owner=15dda26361214ca2a5953d0e8ab9a1e7&pool_id=pool-7d0a&sort_dir=ASC&sort_key=create_at"+
		"&status=RUNNING&tags=env%3Ddev%7Cteam%3Dml&workspace_id=0", reqs[0].Query)
	require.Len(t, page.Items, 1)
	assert.Equal(t, NotebookStatusRunning, page.Items[0].Status)
	assert.Equal(t, 1, page.Total)
}

func TestListNotebooksWalksPagesWithDefaults(t *testing.T) {
	var first, second []string
	for i := range 10 {
		first = append(first, notebookJSON(fmt.Sprintf("nb-%d", i), "RUNNING"))
	}
	second = append(second, notebookJSON("nb-10", "STOPPED"))
	rec := newRecorder(t)
	// No total, no size: a full page of the default 10 means another may follow.
	rec.on("GET", "/notebooks", ok(`{"data":[`+strings.Join(first, ",")+`]}`), ok(`{"data":[`+strings.Join(second, ",")+`]}`))
	c, _ := rec.client(t)
	n := 0
	for nb, err := range c.ListNotebooks(context.Background(), nil) {
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("nb-%d", n), nb.ID)
		n++
	}
	assert.Equal(t, 11, n)
	reqs := rec.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "", reqs[0].Query, "nil options send no parameter")
	assert.Equal(t, "offset=10", reqs[1].Query)
}

func TestListNotebooksRefusesBadOptionsBeforeSending(t *testing.T) {
	for name, o := range map[string]*ListNotebooksOptions{
		"limit 5":   {Limit: 5},
		"limit 100": {Limit: 100},
		"limit -10": {Limit: -10},
		"offset":    {Offset: -1},
		"name":      {Name: "dev box"},
		"long name": {Name: strings.Repeat("a", 129)},
		"sort_key":  {SortKey: "create_at desc"},
		"workspace": {WorkspaceID: "WS"},
		"status":    {Status: "RUN\nNING"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(t)
			c, _ := rec.client(t)
			for _, err := range c.ListNotebooks(context.Background(), o) {
				assert.ErrorIs(t, err, ErrInvalidRequest)
			}
			_, err := c.ListNotebooksPage(context.Background(), o)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Empty(t, rec.requests())
		})
	}
	for _, limit := range []int{10, 20, 50} {
		rec := newRecorder(t)
		rec.on("GET", "/notebooks", ok(`{"data":[]}`))
		c, _ := rec.client(t)
		_, err := c.ListNotebooksPage(context.Background(), &ListNotebooksOptions{Limit: limit})
		require.NoError(t, err, "limit %d", limit)
		assert.Equal(t, fmt.Sprintf("limit=%d", limit), rec.requests()[0].Query)
	}
}

func TestStartNotebookQuery(t *testing.T) {
	cases := []struct {
		opts  *StartNotebookOptions
		query string
	}{
		{nil, ""},
		{&StartNotebookOptions{}, ""},
		{&StartNotebookOptions{Duration: 2 * time.Hour}, "duration=7200000"},
		{&StartNotebookOptions{Duration: MinNotebookDuration, Type: "TIMING"}, "duration=3600000&type=timing"},
		{&StartNotebookOptions{Duration: MaxNotebookDuration, Type: LeaseTypeIdle}, "duration=259200000&type=idle"},
		{&StartNotebookOptions{Type: "SOMETHING_NEW"}, "type=SOMETHING_NEW"},
	}
	for _, tc := range cases {
		rec := newRecorder(t)
		rec.on("POST", "/notebooks/"+nbID+"/start", ok(notebookJSON(nbID, "STARTING")))
		c, _ := rec.client(t)
		nb, err := c.StartNotebook(context.Background(), nbID, tc.opts)
		require.NoError(t, err)
		assert.Equal(t, NotebookStatusStarting, nb.Status)
		assert.Equal(t, []recorded{{Method: "POST", Path: projectPath + "/notebooks/" + nbID + "/start", Query: tc.query}}, rec.requests())
	}
}

func TestStartNotebookRefusesOutOfRangeDurations(t *testing.T) {
	for _, d := range []time.Duration{time.Minute, MinNotebookDuration - time.Millisecond, MaxNotebookDuration + time.Millisecond, -time.Hour} {
		rec := newRecorder(t)
		c, _ := rec.client(t)
		_, err := c.StartNotebook(context.Background(), nbID, &StartNotebookOptions{Duration: d})
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "duration %s", d)
		assert.Equal(t, "duration", ve.Field)
		assert.Empty(t, rec.requests())
	}
	rec := newRecorder(t)
	c, _ := rec.client(t)
	_, err := c.StartNotebook(context.Background(), "", nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Empty(t, rec.requests())
}

func TestStartNotebookSentinels(t *testing.T) {
	cases := map[string]error{
		"ModelArts.6305": ErrNotebookAlreadyRunning,
		"ModelArts.6306": ErrNotebookStarting,
		"ModelArts.0113": ErrQuotaExceeded,
		"ModelArts.6302": ErrQuotaExceeded,
	}
	for code, want := range cases {
		rec := newRecorder(t)
		rec.on("POST", "/notebooks/"+nbID+"/start", reply{400, `{"error_code":"` + code + `","error_msg":"no"}`})
		c, _ := rec.client(t)
		_, err := c.StartNotebook(context.Background(), nbID, nil)
		assert.ErrorIs(t, err, want, code)
		for _, other := range []error{ErrNotebookAlreadyRunning, ErrNotebookStarting, ErrQuotaExceeded} {
			if other != want {
				assert.NotErrorIs(t, err, other, code)
			}
		}
		assert.Len(t, rec.requests(), 1, "a 400 is not retried")
	}
}

func TestStopNotebook(t *testing.T) {
	rec := newRecorder(t)
	rec.on("POST", "/notebooks/"+nbID+"/stop", ok(notebookJSON(nbID, "STOPPING")))
	c, _ := rec.client(t)
	nb, err := c.StopNotebook(context.Background(), nbID)
	require.NoError(t, err)
	assert.Equal(t, NotebookStatusStopping, nb.Status)
	assert.Equal(t, []recorded{{Method: "POST", Path: projectPath + "/notebooks/" + nbID + "/stop"}}, rec.requests())

	_, err = c.StopNotebook(context.Background(), "x y")
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Len(t, rec.requests(), 1)
}

func TestNotebookAnswerWithoutIDIsADecodeError(t *testing.T) {
	rec := newRecorder(t)
	rec.on("POST", "/notebooks/"+nbID+"/stop", ok(`{"status":"STOPPING"}`))
	c, _ := rec.client(t)
	_, err := c.StopNotebook(context.Background(), nbID)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "no notebook id")
}

func TestDocumentedErrorCodesMapToSentinels(t *testing.T) {
	conflict := &APIError{StatusCode: 400, Code: CodeInstanceExists}
	assert.ErrorIs(t, conflict, ErrConflict)
	for _, code := range []string{CodeParameterError, CodeInvalidParameterValues, CodeSortNotSupported, CodeStopBeforeDelete, CodeSSHConfigMissing} {
		e := &APIError{StatusCode: 400, Code: code}
		for _, s := range []error{ErrNotFound, ErrConflict, ErrQuotaExceeded, ErrNotebookAlreadyRunning, ErrNotebookStarting, ErrThrottled} {
			assert.NotErrorIs(t, e, s, "%s is not %v", code, s)
		}
	}
}
