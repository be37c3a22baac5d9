// Package otelmodelarts traces and measures a modelarts.Client with
// OpenTelemetry. It is a module of its own, so that the SDK never depends
// on OpenTelemetry; it needs Go 1.25 or later (the OpenTelemetry Go
// v1.46 modules it is built with do), where the SDK needs Go 1.23.
//
//	client, err := modelarts.NewClient(endpoint, project, signer,
//		otelmodelarts.New(otelmodelarts.WithTracerProvider(tp), otelmodelarts.WithMeterProvider(mp)))
//
// It is an modelarts.Observer, so it sees only what the SDK's observations
// carry: values that passed the SDK's scrubbing, never a credential.
//
// # Traces
//
// Each call of the client is a span of kind client named
// "ModelArts.<Method>" (ModelArts.GetImage, ModelArts.SaveNotebookAsImage),
// with rpc.system.name "modelarts", rpc.method "ModelArts/<Method>",
// server.address and server.port, the IDs the call names
// (modelarts.image.id, modelarts.notebook.id, modelarts.image_group.id,
// modelarts.training_job.id, modelarts.task.id; for a create, the image it
// returned), modelarts.attempts (the attempts it made itself) and
// http.response.status_code of its last answer. It is an error, with
// error.type, only when the caller gets an error. The calls a call makes
// are its children: SaveNotebookAsImage holds CreateImageFromNotebook.
//
// Each HTTP attempt is a child span named "<METHOD> <url.template>" (GET
// /v1/{project_id}/images/{image_id}) after the HTTP client conventions:
// http.request.method, url.template, server.address, server.port,
// http.response.status_code, http.request.resend_count for a retry,
// error.type (the status code, or the Go type of a transport failure),
// modelarts.request_id, modelarts.error_code, and
// modelarts.may_have_happened when the service may have carried out a
// request whose answer was lost. An answer of 400 or more, or none, makes
// the attempt an error. A listing's walk is one call span with one attempt
// span per page request. The trace context goes out in each attempt's
// headers (W3C traceparent) unless WithoutPropagation is given.
//
// On the call span, events record what the call waited for:
// "modelarts.retry" before each retry (modelarts.retry.cause,
// modelarts.retry.reason, modelarts.wait.seconds), "modelarts.poll" for
// each poll of a wait (modelarts.poll.resource, .id, .number, .status,
// .done) and "modelarts.reconcile" for each lookup of a create whose answer
// was lost (modelarts.reconcile.mode, .lookup, .verdict, .candidates,
// .time_known, .notebook_busy, .reason). A 40-minute save is one trace:
// the save's span, its attempts, its create with its reconciliation, and
// its polls.
//
// # Metrics
//
// From the semantic conventions (v1.43.0):
//
//   - rpc.client.call.duration (s, histogram): each call; rpc.system.name,
//     rpc.method, server.address, server.port, error.type.
//   - http.client.request.duration (s, histogram): each attempt;
//     http.request.method, url.template, http.response.status_code,
//     server.address, server.port, error.type.
//
// The SDK's own, where the conventions have none:
//
//   - modelarts.client.attempts ({attempt}, counter): the attempt
//     attributes and rpc.method.
//   - modelarts.client.retries ({retry}, counter): rpc.method and
//     modelarts.retry.cause (throttled, server_error, connection,
//     timeout, signing).
//   - modelarts.client.throttled ({response}, counter): answers asking the
//     client to slow down (429, ModelArts.6357, a 503 with Retry-After).
//   - modelarts.client.reconciliations ({reconciliation}, counter): ended
//     reconciliations, by modelarts.reconcile.verdict (found, nothing,
//     unknown) and modelarts.reconcile.mode.
//   - modelarts.client.wait.duration (s, histogram): each wait before a
//     retry or a poll, by modelarts.wait.kind (retry, poll).
//
// No metric attribute carries a message or a value whose cardinality is
// unbounded; the IDs and texts are on spans only.
//
// # Cost
//
// bench/compare.sh runs each pair in the same run (medians of 6, a
// loopback GetImage of about 50 µs, 2 CPUs):
//
//   - no observer: 135 allocations per call, as many as before the hooks
//     existed (modelarts' TestObservationsAllocateNothingWithoutAnObserver
//     checks the hooks' paths allocate nothing);
//   - an observer with every hook set, doing nothing but add a header:
//     1.10x the time, 17 more allocations (BenchmarkGetImageObserved);
//   - this adapter, every span sampled and recorded, metrics collected:
//     1.60x the time of the same call without it, 193 allocations against
//     127 (BenchmarkGetImageOTel, MODULE=otelmodelarts): about 30 µs
//     more per call, some 0.1% of a call to a service that answers in
//     tens of milliseconds.
package otelmodelarts
