package modelartstest_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/modelarts-go/modelarts"
	"github.com/modelarts-go/modelarts/auth"
	"github.com/modelarts-go/modelarts/modelartstest"
)

// Temporary credentials: the fake's gateway accepts the key pair only
// with its security token, like the real one.
func ExampleWithTemporaryAKSK() {
	srv := modelartstest.NewServer(modelartstest.WithTemporaryAKSK("AK", "SK-secret", "security-token"))
	defer srv.Close()
	ctx := context.Background()
	for _, token := range []string{"security-token", "another-token"} {
		signer, err := auth.NewAKSKSigner("AK", "SK-secret", auth.WithSecurityToken(token))
		if err != nil {
			panic(err)
		}
		client, err := modelarts.NewClient(srv.URL(), srv.ProjectID(), signer, modelarts.WithHTTPClient(srv.HTTPClient()))
		if err != nil {
			panic(err)
		}
		_, err = client.ListImagesPage(ctx, nil)
		var apiErr *modelarts.APIError
		if errors.As(err, &apiErr) {
			fmt.Println(token, apiErr.StatusCode, apiErr.Code)
		} else {
			fmt.Println(token, err)
		}
	}
	// Output:
	// security-token <nil>
	// another-token 401 APIGW.0301
}
