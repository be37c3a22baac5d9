package modelarts

import (
	"errors"
	"os"
	"regexp"

	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/internal/textutil"
)

// Environment variables NewClientFromEnv reads besides those of
// auth.SignerFromEnv.
const (
	EnvEndpoint = "MODELARTS_ENDPOINT"
)

// EndpointForRegion returns the ModelArts endpoint of a Huawei Cloud region:
// https://modelarts.{region}.myhuaweicloud.com, and .cn for ap-southeast-1.
func EndpointForRegion(region string) string {
	if region == "ap-southeast-1" {
		return "https://modelarts." + region + ".myhuaweicloud.cn"
	}
	return "https://modelarts." + region + ".myhuaweicloud.com"
}

// NewClientFromEnv builds a client from the environment:
//
//   - endpoint: MODELARTS_ENDPOINT, else from HUAWEICLOUD_SDK_REGION
//   - project: HUAWEICLOUD_SDK_PROJECT_ID
//   - signer: as auth.SignerFromEnv (AK/SK, then token, then IAM user)
//
// When something is missing, one *auth.MissingEnvError names every missing
// variable.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	endpoint, from := os.Getenv(EnvEndpoint), EnvEndpoint
	if endpoint == "" {
		if region := os.Getenv(auth.EnvRegion); region != "" {
			if !regionRE.MatchString(region) {
				return nil, invalid("region", "%s is %q: a region is lowercase letters, digits and '-', e.g. cn-north-4; fix the variable", auth.EnvRegion, textutil.Clip(region, 64))
			}
			endpoint, from = EndpointForRegion(region), "made from "+auth.EnvRegion
		}
	}
	project := os.Getenv(auth.EnvProjectID)
	var missing []string
	if endpoint == "" {
		missing = append(missing, EnvEndpoint+" or "+auth.EnvRegion)
	}
	if project == "" {
		missing = append(missing, auth.EnvProjectID)
	}
	var alternatives []string
	signer, err := auth.SignerFromEnv()
	if err != nil {
		var me *auth.MissingEnvError
		if !errors.As(err, &me) {
			return nil, err
		}
		missing = append(missing, me.Missing...)
		alternatives = me.Alternatives
	}
	if len(missing) > 0 || len(alternatives) > 0 {
		return nil, &auth.MissingEnvError{Missing: missing, Alternatives: alternatives}
	}
	c, err := NewClient(endpoint, project, signer, opts...)
	var ve *ValidationError
	if errors.As(err, &ve) {
		switch ve.Field {
		case "endpoint":
			ve.Reason += " (" + from + ")"
		case "project_id":
			ve.Reason += " (read from " + auth.EnvProjectID + ")"
		}
	}
	return c, err
}

// regionRE is the shape of a region name, e.g. cn-north-4.
var regionRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
