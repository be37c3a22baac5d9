package modelarts

import (
	"errors"
	"os"

	"github.com/modelarts-go/modelarts/auth"
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
	endpoint := os.Getenv(EnvEndpoint)
	if endpoint == "" {
		if region := os.Getenv(auth.EnvRegion); region != "" {
			endpoint = EndpointForRegion(region)
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
	return NewClient(endpoint, project, signer, opts...)
}
