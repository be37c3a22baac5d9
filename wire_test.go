package modelarts

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every model and every listing tolerates the same things: counts and
// numbers sent as strings or floats, numbers where text is due, null for
// "not set", null items, enum case.
func TestEveryListingAndModelToleratesTheSameOddities(t *testing.T) {
	c, mt, _ := newMockClient(t)
	page := `{"data":[null,{"id":"x","status":"running","name":"n","volume":{"capacity":"5","category":"EVS"}}],"total":"0","current":"1","pages":1.0,"size":"10"}`
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/images/group", jsonResponder(200, page))
	mt.RegisterResponder("GET", testEndpoint+projectPath+"/notebooks/x", jsonResponder(200, `{"id":"x","status":"RUNNING","volume":{"capacity":"5"},"description":null,"lease":{"duration":"3600000"}}`))
	ctx := context.Background()

	nbs, err := c.ListNotebooksPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, nbs.Total)
	assert.Equal(t, 10, nbs.Size)
	require.Len(t, nbs.Items, 1, "the null item is dropped")
	assert.Equal(t, NotebookStatusRunning, nbs.Items[0].Status, "enum case is normalised")

	imgs, err := c.ListImagesPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, imgs.Current)
	require.Len(t, imgs.Items, 1)

	groups, err := c.ListImageGroupsPage(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, groups.Pages)
	require.Len(t, groups.Items, 1)

	nb, err := c.GetNotebook(ctx, "x")
	require.NoError(t, err)
	require.NotNil(t, nb.Volume)
	assert.EqualValues(t, 5, nb.Volume.Capacity)
}

func TestAValueNoCoercionFitsIsADecodeErrorQuotingIt(t *testing.T) {
	var img Image
	err := decodeJSON([]byte(`{"id":"x","size":"big"}`), &img)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"big"`)
	assert.Contains(t, err.Error(), "size")
}

// Every form an enum can arrive in: a known value in any case (escaped or
// not) is its constant, an unknown one is kept as sent, a number or a bool
// is its text, null is "not set".
func TestEnumsDecodeEveryFormTheServiceMaySend(t *testing.T) {
	cases := map[string]ImageStatus{
		`"ACTIVE"`:        ImageStatusActive,
		`"active"`:        ImageStatusActive,
		`"ACT\u0049VE"`:   ImageStatusActive,
		`"Create_Failed"`: ImageStatusCreateFailed,
		`"PAUSED"`:        "PAUSED",
		`"paused"`:        "paused",
		`""`:              "",
		`"ACTIVE "`:       "ACTIVE ",
		`7`:               "7",
		`-1.5e3`:          "-1.5e3",
		`true`:            "true",
	}
	for in, want := range cases {
		var got ImageStatus
		require.NoError(t, json.Unmarshal([]byte(in), &got), in)
		assert.Equal(t, want, got, in)
	}
	got := ImageStatusCreating
	require.NoError(t, json.Unmarshal([]byte(`null`), &got))
	assert.Equal(t, ImageStatusCreating, got, "null leaves the value as it was")
}

// A value the SDK knows is decoded into its constant without allocating:
// a listing of 10,000 images repeats a handful of values.
func TestAKnownEnumValueDecodesWithoutAllocating(t *testing.T) {
	var a Arch
	var s ImageStatus
	arch, status := []byte(`"x86_64"`), []byte(`"ACTIVE"`)
	allocs := testing.AllocsPerRun(100, func() {
		_ = decodeEnum(arch, &a, archValues)
		_ = decodeEnum(status, &s, imageStatusValues)
	})
	assert.Zero(t, allocs)
	assert.Equal(t, ArchX86_64, a)
	assert.Equal(t, ImageStatusActive, s)
}

// An image decoded by the caller's own encoding/json gets the same
// constants as one the client decodes.
func TestAnImageDecodedWithEncodingJSONHasItsEnumsNormalised(t *testing.T) {
	var img Image
	require.NoError(t, json.Unmarshal([]byte(`{"arch":"aarch64","status":"creating","dev_services":["ssh","JUPYTER"],"resource_categories":["gpu"],"type":"dedicated","visibility":"public","origin":"image_save","service_type":"train","flavor_type":"ascend_snt9"}`), &img))
	assert.Equal(t, ArchAARCH64, img.Arch)
	assert.Equal(t, ImageStatusCreating, img.Status)
	assert.Equal(t, []DevService{DevServiceSSH, "JUPYTER"}, img.DevServices)
	assert.Equal(t, []ResourceCategory{ResourceCategoryGPU}, img.ResourceCategories)
	assert.Equal(t, ImageTypeDedicated, img.Type)
	assert.Equal(t, VisibilityPublic, img.Visibility)
	assert.Equal(t, OriginImageSave, img.Origin)
	assert.Equal(t, ServiceTypeTrain, img.ServiceType)
	assert.Equal(t, FlavorTypeAscendSNT9, img.FlavorType)
}

// An enum sent as an object or an array fits no coercion: the error names
// the field and quotes the value.
func TestAnEnumSentAsAnObjectIsADecodeErrorNamingTheFieldAndQuotingIt(t *testing.T) {
	var img Image
	err := decodeJSON([]byte(`{"id":"x","status":{"code":"ACTIVE"}}`), &img)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `{"code":"ACTIVE"}`)
	assert.Contains(t, err.Error(), "status")

	var nb Notebook
	err = decodeJSON([]byte(`{"id":"x","lease":{"type":["idle"]}}`), &nb)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `["idle"]`)
	assert.Contains(t, err.Error(), "lease.type")
}

// Invalid UTF-8 in an enum becomes U+FFFD as in any string field, so a
// decoded image encodes and decodes back to itself.
func TestAnEnumWithInvalidUTF8RoundTripsThroughEncodingJSON(t *testing.T) {
	for _, in := range []string{"\"ACT\xffIVE\"", "\"active\xc3\"", "\"\xe2\x82\""} {
		var img Image
		require.NoError(t, decodeJSON([]byte(`{"id":"x","status":`+in+`}`), &img), in)
		b, err := json.Marshal(&img)
		require.NoError(t, err)
		var back Image
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, img.Status, back.Status, in)
		assert.Contains(t, string(img.Status), "\uFFFD", in)
	}
}

// A value of the wrong JSON type is quoted as sent, with the field named,
// whatever the value and whichever type reads it: an object where an array
// is due, a time that is not a number.
func TestAValueOfTheWrongTypeIsQuotedWithItsFieldNamed(t *testing.T) {
	cases := []struct{ body, field, value string }{
		{`{"id":"x","dev_services":{"0":"SSH"}}`, "dev_services", `{"0":"SSH"}`},
		{`{"id":"x","resource_categories":{"a":[1,{"b":"]"}]}}`, "resource_categories", `{"a":[1,{"b":"]"}]}`},
		{`{"id":"x","tags":[[1]]}`, "tags", `[1]`},
		{`{"id":"x","create_at":"abc"}`, "create_at", `"abc"`},
		{`{"id":"x","update_at":1e300}`, "update_at", `1e300`},
		{`{"id":"x","update_at":{}}`, "update_at", `{}`},
		{`{"id":"x","create_at":true}`, "create_at", `true`},
		{`{"id":"x","create_at":9223372036854775807}`, "create_at", `9223372036854775807`},
		{`{"id":"x","update_at":"-62135596800001"}`, "update_at", `"-62135596800001"`},
	}
	for _, tc := range cases {
		var img Image
		err := decodeJSON([]byte(tc.body), &img)
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), " "+tc.value+" of "+tc.field+" ", tc.body)
	}
}

// The times the wire can carry, from year 1 to year 9999, decode to
// themselves.
func TestTimestampsAtTheEdgesOfTheYearsOneTo9999DecodeToThemselves(t *testing.T) {
	for _, ms := range []int64{-62135596800000, 0, 1638234504492, 253402300799999} {
		var ts Timestamp
		require.NoError(t, json.Unmarshal([]byte(strconv.FormatInt(ms, 10)), &ts))
		if ms == 0 {
			assert.True(t, ts.IsZero())
			continue
		}
		assert.Equal(t, ms, ts.UnixMilli())
	}
}
