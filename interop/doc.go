// Package interop checks modelarts-go against code its authors did not
// write: the official Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3).
//
// It is a separate module so that the official SDK, a large dependency,
// never enters the library's own go.mod. Its tests:
//
//   - drive the official SDK's ModelArts v1 client against
//     modelartstest.Server (ShowImage, ListImage, RegisterImage, CreateImage
//     and DeleteImage, with permanent and with temporary AK/SK) and check
//     that every field the fake sets decodes into the official models;
//   - prove that the fake's gateway, whose SDK-HMAC-SHA256 verifier is its
//     own code and shares none with this library's signer, accepts the
//     official SDK's signatures (odd queries and bodies included) and
//     refuses them once a query, path, signed header, body or the
//     signature itself is changed after signing;
//   - verify the AK/SK signatures of this library's client with the
//     official SDK's signer.
//
// Run them with `go test ./...` inside this directory (.ci/run does).
package interop
