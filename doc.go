// Package modelarts is a typed client for the ModelArts image-management
// API: register custom container images, save a running notebook (or a
// training job's task) as an image, read, list, group, sync and delete
// images, start and stop notebooks, and wait until an image is usable.
//
// Every call takes a context, validates its input before anything is sent,
// signs each attempt afresh, retries only what is safe to retry, and returns
// errors that errors.Is / errors.As can inspect (see APIError and the Err*
// sentinels). Every call also takes trailing CallOptions. Package
// modelartstest provides an in-memory fake of the service for tests.
//
// The guarantees below are each kept in one place of the code, whose file
// is named with them; the tests of that file's subject (creates_*_test.go,
// paging_*_test.go, secrets_*_test.go, polling_*_test.go and the *_rules
// and evidence tests an independent adversary wrote) show them.
//
// # Calls, options and input
//
// Every call takes a context first and trailing options last: CallOption
// for every call (WithResponse, and the SharedOptions WithAttemptTimeout
// and WithRetry, which NewClient also takes as the default of every call),
// plus WithForce for deletes (a DeleteOption) and the polling options for
// waits (WaitOptions). An option given to a call it does not fit does not
// compile; a bad value is refused with ErrInvalidRequest before anything
// is sent. The context bounds the whole call, retries, waits and
// paging included; WithAttemptTimeout (default DefaultTimeout) bounds each
// HTTP request. Bad input never reaches the wire: it is a *ValidationError
// naming the field and the rule, its value quoted as given. Enums are
// string types open in both directions: known values are normalised in any
// case, unknown ones kept as sent.
//
// # Retries
//
// DefaultRetryPolicy: 4 attempts, full-jitter backoff from 200 ms capped
// at 20 s. Retried, whatever the method: 429, and ModelArts.6101 under a
// status other than 5xx (throttling), any failure before a byte of the request was written, a
// signer's transient failure (auth.IsTemporary). Retried for GET and
// DELETE, and settled first for a POST (see below): 500, 502, 503, 504
// (whatever their code, 6101 included), 408, ModelArts.6100, a reset or a
// timeout after sending. A GET answered
// 503 with Retry-After is retried. Returned: other 4xx, an ended context.
// Retry-After (seconds or an HTTP date) is honoured as sent up to
// MaxRetryAfter (60 s), never shortened to the backoff. A retry budget (a
// token bucket shared by a client's calls, refilled by successes) stops a
// client from multiplying load during an outage. A rejected token (401 with
// a token code) is refreshed once whatever the policy. A DELETE whose
// answer was lost and whose retry finds nothing has succeeded. What each
// status means is decided once, in status.go.
//
// # Creates happen once, and you get your image
//
// This API has no idempotency key. When a create's answer is lost after it
// may have reached the service (a reset, a timeout, a 5xx), when the service
// answers 2xx without the image, or when a create sent again is refused as
// a duplicate (ModelArts.6737) or as busy (ModelArts.6357), the client looks
// for the image before doing anything else (creates.go). It returns an
// image as this call's only with evidence:
//
//   - it matches the request exactly: namespace, name and tag for a notebook
//     save; swr_path for a registration;
//   - it was made after the call began by the service's clock, read from the
//     Date header of the lookup's answer (a Date older than an image the
//     answer lists is stale, and then proves nothing); that header counts
//     whole seconds, so "after" is known to within a second and the
//     call's round trips;
//   - it is the only such image; and, for a notebook save whose tag the
//     caller chose, the notebook shows the save running (SNAPSHOTTING) or
//     the service said the create succeeded.
//
// A save without a tag is sent with one the SDK chooses for that call alone
// (CreateImageFromNotebook says how it is made), so an image carrying it can
// only be this call's, whatever the clocks say: another caller's save of
// the same name never matches. An exact match made less than two hours
// before the call by the Date header, and not failed, keeps the create
// from being sent again (a Date running ahead of the clock that stamps the
// images would make this call's own image look older): the outcome is
// unknown, naming it. With a tag you chose, another save of the same notebook under
// the same name and tag, racing with yours, leaves the same evidence as
// yours: if your answer is lost, you may be given that image. Leave Tag
// empty where such a race is possible. Anything undecidable ends in a *CreateOutcomeError matching
// ErrCreateOutcomeUnknown that names the candidate images: the SDK never
// guesses. Only when the notebook shows no save running and the listing
// shows nothing for the whole WithReconcileWindow does the SDK send the
// create again; a save sent again carries the same tag, so a service that
// refuses an existing tag still holds one image. A registration whose image
// the listing hides for longer than the window can be made twice: raise the
// window if your service lags longer. Two callers registering the same
// swr_path within about a second of each other cannot be told apart, since
// the path is all the request holds and the Date header counts whole
// seconds: each may be given the image the other's call made. An image of
// the path made earlier than that is never taken for this call's; the
// same bound holds for a save under a tag you chose, which also needs the
// notebook's evidence.
// (TestTaglessSaveWithALaggingListingNeverReturnsTheImageListedFirst,
// TestConcurrentTaglessSavesEachGetOnlyTheirOwnImage,
// TestCreatesRegisterNeverTakesAnImageMadeMoreThanASecondAndTheRoundTripsBeforeTheCall,
// TestCreatesRegisterWithinTheDateHeadersSecondIsTheDocumentedLimit.)
//
// A 5xx (a 503 with Retry-After included) or a timeout after a create was
// sent counts as a lost answer: the service may have carried it out.
//
// CreateSaveImageJob is never sent again after a lost answer, nor after a
// 2xx without the job: the error is a *SaveImageJobOutcomeError, matching
// ErrCreateOutcomeUnknown, that names the job and task and says to check
// with GetSaveImageJob.
//
// # Listings
//
// ListImages, ListImageGroups and ListNotebooks walk every page as Go 1.23
// iterators, and the create lookup walks the same way (paging.go, pager):
//
//   - Each item is yielded at most once (items are told apart by ID); an
//     item without an ID is yielded as it comes, and a page of them counts
//     as progress under a total (which bounds the walk), unless it repeats
//     the page before, and as none without.
//   - The offset moves by the slots the server sent, null items included.
//   - The walk goes on while the server reports more (total) or, without a
//     total or past one (a stale estimate), while pages come back full and
//     all new; it stops on an empty page. A total the walk lands on
//     exactly, its last page full, is taken at its word.
//   - While the collection changes, a walk yields every item that stays in
//     it for the whole walk and is not moved behind the offset; items added
//     at the head of a newest-first listing push older ones to later
//     offsets, where the walk still finds them, and are not yielded.
//   - It ends with a *ListingError (ErrListingInconsistent) only when it
//     cannot make progress: two pages in a row that repeat only items
//     already yielded while the total stays the same (a server that
//     ignores the offset; churn would have to match it burst for burst),
//     or five pages in a row that bring nothing new of any kind (a server
//     that reorders the listing between reads, null items only, or items
//     arriving ahead of the walk faster than it reads). One such page, a
//     burst of new items at the head with as many deleted behind, is
//     walked through. The error says what it saw. A walk never loops.
//
// # No secret in any output
//
// No secret the client holds (static token, IAM-issued tokens, IAM
// password, AK, SK, security token, the request's signature), raw,
// JSON-escaped, URL-encoded, HTML-escaped or two of these layered, or
// re-cased in a response header's name, appears in any error, any value
// the SDK returns, or any log record, whatever a server, gateway, WAF or
// transport echoes back. What is found is a whole secret: a server that
// echoes only part of one (a WAF quoting the first 40 characters of a
// header) is not covered. scrub.go is the boundary
// every string from a server passes before the SDK holds it: every string
// of a decoded answer (model fields, statuses, messages, tags), the fields
// of an error answer, the response headers kept, and the text of a foreign
// error. A foreign error whose text held a secret (a transport error
// quoting a malformed header line, a JSON decoder error) is replaced in the
// chain by a stand-in that prints the scrubbed text, answers errors.Is for
// the sentinels the original matched (context.DeadlineExceeded,
// context.Canceled, os.ErrDeadlineExceeded, io.EOF, io.ErrUnexpectedEOF,
// net.ErrClosed, ECONNRESET, ECONNREFUSED, ECONNABORTED, EPIPE, ETIMEDOUT,
// EHOSTUNREACH, ENETUNREACH) and is a net.Error reporting Timeout as the
// original did; errors.As can then no longer reach the original's own
// types (*net.OpError, *tls.CertificateVerificationError, a JSON decoder's
// *json.SyntaxError and the like). A foreign error whose text held no
// secret stays in the chain as it was. Scrubbing allocates nothing for a
// string in which nothing is found and that holds no escape character.
//
// A Client, and every signer of package auth, prints redacted under every
// fmt verb and slog handler, by pointer or by value, and wherever it sits
// in a struct of yours, exported field or not: the secrets are held where
// fmt's reflection cannot reach them. So does auth.PasswordCredentials,
// whose Password is an auth.Secret (encoding/json writes it as Redacted).
//
// # Errors
//
// Every error a call returns is one of the package's types, each matching
// the Err* sentinels where said: *APIError (an error answer; Is maps its
// status and code to ErrNotFound, ErrUnauthorized, ErrForbidden,
// ErrThrottled, ErrConflict and the notebook sentinels), *RequestError (no
// answer to give: the transport failed, the context ended the call, or the
// retry budget stopped it), *DecodeError (a 2xx whose body is not the
// documented JSON), *ValidationError (ErrInvalidRequest), *WaitError,
// *CreateOutcomeError and *SaveImageJobOutcomeError
// (ErrCreateOutcomeUnknown), *ListingError (ErrListingInconsistent),
// *ImageFailedError and *SaveImageJobFailedError (ErrImageFailed),
// *NotebookFailedError (ErrNotebookFailed), *NotebookNotRunningError
// (ErrNotebookNotRunning). Messages begin "modelarts: " once and say what
// failed, where, and, for a 401, 403 or throttling, what to do.
//
// # Waits keep the failure that stopped them
//
// WaitForActive, WaitForNotebook, WaitForSaveImageJob and the waits inside
// SaveNotebookAsImage poll with one loop (polling.go). A wait ended by its
// context returns a *WaitError that wraps the context's error and the last
// failure seen, including the one a poll cut short by the deadline was
// retrying: errors.As finds the 503, with its Retry-After header, behind
// the timeout. Every ended wait is a *WaitError: a failure status (an
// *ImageFailedError, *NotebookFailedError or *SaveImageJobFailedError,
// which errors.As finds behind it) and a poll's permanent failure (a 403;
// a not-found once WithNotFoundGrace is spent) end it too, wrapped. The first poll is immediate; then waits grow from 5 s to 30 s
// (WithPollInterval), each drawn from the upper half of its window, and
// the last is shortened so that one final poll fits before the deadline.
// Transient failures (network errors, 5xx, 429, a signer's hiccup) do not
// end a wait; they are counted in the *WaitError. A not-found within the
// grace is counted apart: it is eventual consistency, not a failure.
//
// # Limits and logging
//
// Success bodies are read up to MaxResponseBytes, error bodies up to
// MaxErrorBytes. Redirects are never followed, and the *http.Client you
// pass is copied, not modified; without one, the client uses a clone of
// http.DefaultTransport that keeps 100 idle connections per host.
// WithRateLimit keeps a client's goroutines under a rate. WithLogger logs
// one debug record per attempt and one warn record per retry, scrubbed like
// errors; the client is silent without it.
//
// # Observing calls
//
// WithObserver gives the client an Observer: functions the engine calls
// for each call of the Client (its operation, the IDs it names, its error
// and duration), each HTTP attempt (method, path template, status, error
// code, request ID, duration, whether the failure is retried or may have
// been carried out, and why), each retry (the wait before the next
// attempt, and its cause), each poll of a wait (the status seen) and each
// lookup of a create's reconciliation (the candidates, the Date and
// SNAPSHOTTING evidence, the verdict). WithLogger is one such observer;
// the OpenTelemetry module otelmodelarts is another (observe.go).
//
//   - What an observation holds passed the scrubbing boundary above: no
//     secret the client holds, no credential header, no value of a
//     secret-looking query key, whatever the server echoed.
//   - A call's context, as its Call hook returns it, is the context of
//     everything the call does: its attempts, polls, reconciliation steps,
//     and the calls it makes (SaveNotebookAsImage's CreateImageFromNotebook).
//     A listing is one call, from the loop's start to its end.
//   - Before an attempt is signed, its Attempt hook may add headers
//     (AttemptStart.SetHeader: a trace context), never a credential or a
//     header the SDK sets.
//   - Hooks run synchronously on the call's goroutine; a new observation
//     comes as a new field of Observer, a new fact as a new field of the
//     struct a hook receives, so an Observer written with keyed fields
//     keeps compiling.
//   - A client without an observer builds no observation and allocates
//     nothing for them (TestObservationsAllocateNothingWithoutAnObserver).
package modelarts
