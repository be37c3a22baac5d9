package modelarts

import (
	"math"
	"net/url"
	"strconv"
)

// listQuery builds the query of a listing: unset values are left out, as
// the official SDK leaves out what is not set.
type listQuery url.Values

// set adds k=v when v is not empty.
func (q listQuery) set(k, v string) {
	if v != "" {
		url.Values(q).Set(k, v)
	}
}

// paging adds limit and offset when set.
func (q listQuery) paging(limit, offset int) {
	if limit > 0 {
		url.Values(q).Set("limit", strconv.Itoa(limit))
	}
	if offset > 0 {
		url.Values(q).Set("offset", strconv.Itoa(offset))
	}
}

// name adds a name filter. The service matches name fuzzily unless told
// otherwise, so an exact match is asked for whenever a name is set without
// fuzzy.
func (q listQuery) name(name string, fuzzy bool) {
	q.set("name", name)
	if name != "" || fuzzy {
		url.Values(q).Set("name_fuzzy_match", strconv.FormatBool(fuzzy))
	}
}

// checkPaging checks a listing's limit (1 to maxLimit, or 0 for the
// server's default) and offset.
func checkPaging(limit, offset, maxLimit int) error {
	switch {
	case limit < 0 || limit > maxLimit:
		return invalid("limit", "must be 1 to %d (0 for the server default), got %d", maxLimit, limit)
	case offset < 0 || offset > math.MaxInt32:
		return invalid("offset", "must be 0 to %d, got %d", math.MaxInt32, offset)
	}
	return nil
}
