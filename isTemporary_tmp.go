package modelarts

import "errors"

// isTemporary reports a signing failure a later attempt may not see again
// (an IAM outage, say). TEMPORARY: replaced by auth.IsTemporary at merge.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}
