package modelarts

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelarts-go/modelarts/auth"
)

func TestRegisterImageValidation(t *testing.T) {
	valid := func() *RegisterImageRequest {
		return &RegisterImageRequest{SWRPath: "swr.cn-north-4.myhuaweicloud.com/org/name:tag"}
	}
	cases := []struct {
		name   string
		mutate func(r *RegisterImageRequest)
		field  string
	}{
		{"swr_path required", func(r *RegisterImageRequest) { r.SWRPath = "" }, "swr_path"},
		{"swr_path spaces", func(r *RegisterImageRequest) { r.SWRPath = "swr.example.com/org/a b:c" }, "swr_path"},
		{"swr_path control", func(r *RegisterImageRequest) { r.SWRPath = "swr.example.com/org/a\x01:c" }, "swr_path"},
		{"swr_path too long", func(r *RegisterImageRequest) { r.SWRPath = strings.Repeat("a", 2049) }, "swr_path"},
		{"swr_path too short", func(r *RegisterImageRequest) { r.SWRPath = "swr.x/o/n:t" }, "swr_path"},
		{"arch control", func(r *RegisterImageRequest) { r.Arch = "X86\n" }, "arch"},
		{"arch too long", func(r *RegisterImageRequest) { r.Arch = Arch(strings.Repeat("X", 65)) }, "arch"},
		{"description 513", func(r *RegisterImageRequest) { r.Description = strings.Repeat("é", 513) }, "description"},
		{"resource_category control", func(r *RegisterImageRequest) { r.ResourceCategories = []ResourceCategory{"CPU", "T\tPU"} }, "resource_category"},
		{"resource_category empty", func(r *RegisterImageRequest) { r.ResourceCategories = []ResourceCategory{""} }, "resource_category"},
		{"services empty", func(r *RegisterImageRequest) { r.Services = []DevService{""} }, "services"},
		{"workspace_id control", func(r *RegisterImageRequest) { r.WorkspaceID = "0\n" }, "workspace_id"},
		{"workspace_id format", func(r *RegisterImageRequest) { r.WorkspaceID = "ws-1" }, "workspace_id"},
		{"tags too many", func(r *RegisterImageRequest) { r.Tags = make([]string, 21) }, "tags"},
		{"tags empty", func(r *RegisterImageRequest) { r.Tags = []string{"k=v", ""} }, "tags"},
		{"read_me 3001", func(r *RegisterImageRequest) { r.ReadMe = strings.Repeat("r", 3001) }, "read_me"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.mutate(r)
			err := r.validate()
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	ok := []func(r *RegisterImageRequest){
		func(r *RegisterImageRequest) {},
		func(r *RegisterImageRequest) { r.Description = strings.Repeat("é", 512) },
		func(r *RegisterImageRequest) {
			r.Arch, r.Origin, r.ServiceType, r.Visibility = "aarch64", OriginImageSave, ServiceTypeDev, VisibilityPublic
		},
		func(r *RegisterImageRequest) {
			r.ResourceCategories = []ResourceCategory{ResourceCategoryASCEND}
			r.Services = []DevService{DevServiceSSH}
		},
		// Request enums stay open: values the SDK does not know go to the
		// service, which judges them.
		func(r *RegisterImageRequest) {
			r.Arch, r.Origin, r.ServiceType, r.Visibility = "RISCV64", "IMPORTED", "SERVE", "HIDDEN"
			r.ResourceCategories, r.Services, r.FlavorType = []ResourceCategory{"TPU"}, []DevService{"WEB_IDE"}, "ASCEND_SNT10"
		},
		func(r *RegisterImageRequest) { r.SWRPath = strings.Repeat("a", 2048) },
		func(r *RegisterImageRequest) { r.WorkspaceID = strings.Repeat("0a", 16) },
		func(r *RegisterImageRequest) { r.Tags, r.ReadMe = make([]string, 0, 20), strings.Repeat("r", 3000) },
	}
	for i, m := range ok {
		r := valid()
		m(r)
		assert.NoError(t, r.validate(), "case %d", i)
	}
	var nilReq *RegisterImageRequest
	assert.ErrorIs(t, nilReq.validate(), ErrInvalidRequest)
}

func TestCreateImageValidation(t *testing.T) {
	cases := []struct {
		req   CreateImageRequest
		field string
	}{
		{CreateImageRequest{Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: strings.Repeat("a", 129), Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: "Upper", Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: "-lead", Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: "trail.", Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: "has space", Namespace: "ns"}, "name"},
		{CreateImageRequest{Name: "ok"}, "namespace"},
		{CreateImageRequest{Name: "ok", Namespace: "1team"}, "namespace"},
		{CreateImageRequest{Name: "ok", Namespace: "Team"}, "namespace"},
		{CreateImageRequest{Name: "ok", Namespace: "team/x"}, "namespace"},
		{CreateImageRequest{Name: "ok", Namespace: "t" + strings.Repeat("a", 64)}, "namespace"},
		{CreateImageRequest{Name: "ok", Namespace: "ns", Tag: strings.Repeat("1", 65)}, "tag"},
		{CreateImageRequest{Name: "ok", Namespace: "ns", Tag: "v1:2"}, "tag"},
		{CreateImageRequest{Name: "ok", Namespace: "ns", Tag: "v 1"}, "tag"},
		{CreateImageRequest{Name: "ok", Namespace: "ns", Description: strings.Repeat("x", 513)}, "description"},
		{CreateImageRequest{Name: "ok", Namespace: "ns", WorkspaceID: "\x7f"}, "workspace_id"},
	}
	for _, tc := range cases {
		err := tc.req.validate()
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%+v", tc.req)
		assert.Equal(t, tc.field, ve.Field, "%+v", tc.req)
	}
	for _, r := range []CreateImageRequest{
		{Name: "pytorch1_4", Namespace: "atelier-auto", Tag: "20221223"},
		{Name: "a", Namespace: "b"},
		{Name: strings.Repeat("a", 128), Namespace: "n" + strings.Repeat("A", 63)},
		{Name: "x.y-z_0", Namespace: "team.A-b_c", Tag: "v1.0-rc_1,latest"},
		{Name: "ok", Namespace: "ns", Tag: "V1.2", Description: strings.Repeat("x", 512)},
	} {
		assert.NoError(t, r.validate(), "%+v", r)
	}
	var nilReq *CreateImageRequest
	assert.ErrorIs(t, nilReq.validate(), ErrInvalidRequest)
}

func TestValidationHappensBeforeTheWire(t *testing.T) {
	c, mt, _ := newMockClient(t)
	ctx := context.Background()
	_, err := c.RegisterImage(ctx, nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.RegisterImage(ctx, &RegisterImageRequest{})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.CreateImageFromNotebook(ctx, "nb", nil)
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.CreateImageFromNotebook(ctx, "nb", &CreateImageRequest{Name: "BAD", Namespace: "ns"})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	_, err = c.ListImagesPage(ctx, &ListImagesOptions{Limit: -1})
	assert.ErrorIs(t, err, ErrInvalidRequest)
	assert.Zero(t, mt.GetTotalCallCount())
}

func TestValidationErrorsQuoteValuesExactlyAsGiven(t *testing.T) {
	c, _, _ := newMockClient(t)
	_, err := c.GetImage(context.Background(), "img-1\n")
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), `"img-1\n"`, "the stray line break is visible")
	_, err = c.CreateImageFromNotebook(context.Background(), "nb", &CreateImageRequest{Name: "env ", Namespace: "team"})
	assert.Contains(t, err.Error(), `"env "`)
	_, err = c.GetImage(context.Background(), strings.Repeat("x", 300)+" ")
	assert.NotContains(t, err.Error(), strings.Repeat("x", 100), "a long value is shortened")
}

func TestEndpointAndRegionErrorsSayWhatToDoAndWhichVariableHeldTheValue(t *testing.T) {
	_, err := NewClient("modelarts.cn-north-4.myhuaweicloud.com", testProject, auth.NewTokenSigner(testToken))
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), `"https://modelarts.cn-north-4.myhuaweicloud.com"`, "the fix is spelled out")

	t.Setenv(auth.EnvAuthToken, testToken)
	t.Setenv(auth.EnvProjectID, testProject)
	t.Setenv(EnvEndpoint, "")
	t.Setenv(auth.EnvRegion, "cn-north-4 ")
	_, err = NewClientFromEnv()
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), `HUAWEICLOUD_SDK_REGION is "cn-north-4 "`)

	t.Setenv(EnvEndpoint, "modelarts.example.com")
	_, err = NewClientFromEnv()
	require.ErrorIs(t, err, ErrInvalidRequest)
	assert.Contains(t, err.Error(), "(MODELARTS_ENDPOINT)")
}
