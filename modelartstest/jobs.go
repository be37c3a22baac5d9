package modelartstest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/modelarts-go/modelarts"
)

// Routes of this file.
const (
	// RouteCreateSaveImageJob is CreateSaveImageJob: save a training task as an image.
	RouteCreateSaveImageJob Route = "POST /v2/{project_id}/training-jobs/{job_id}/tasks/{task_id}/save-image-job"
	// RouteGetSaveImageJob is ShowSaveImageJob.
	RouteGetSaveImageJob Route = "GET /v2/{project_id}/training-jobs/{job_id}/tasks/{task_id}/save-image-job"
)

var (
	_ = declare(RouteCreateSaveImageJob, (*Server).createSaveImageJob)
	_ = declare(RouteGetSaveImageJob, (*Server).getSaveImageJob)
)

// jobState is the state of the training-job APIs: the jobs, by ID.
type jobState struct {
	jobs map[string]*trainingJob
}

// trainingJob is a training job whose tasks can be saved as images.
type trainingJob struct {
	tasks []string
	saves map[string]*saveJob // by task, the latest save
}

// saveJob is a training-job image save; its status is its image's, and
// stays what it last was once the image is deleted.
type saveJob struct {
	imageID                           string
	name, namespace, tag, description string
	status                            modelarts.ImageStatus
	message                           string
	created                           modelarts.Timestamp
}

// Defaults of a training-job save the pages leave open: the image is
// named after the job and goes to this organization.
const defaultJobNamespace = "training-jobs"

// AddTrainingJob adds a training job whose tasks (default "worker-0", the
// only task of a single-node job) can be saved as images with the
// training-job save-image job.
func (s *Server) AddTrainingJob(jobID string, tasks ...string) {
	if len(tasks) == 0 {
		tasks = []string{"worker-0"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := partLocked[jobState](s)
	if st.jobs == nil {
		st.jobs = map[string]*trainingJob{}
	}
	st.jobs[jobID] = &trainingJob{tasks: slices.Clone(tasks), saves: map[string]*saveJob{}}
}

// jobTaskLocked finds the job and task of the request, answering the
// error itself when there is none.
func (s *Server) jobTaskLocked(w http.ResponseWriter, r *http.Request) (*trainingJob, string, bool) {
	job, ok := partLocked[jobState](s).jobs[r.PathValue("job_id")]
	task := r.PathValue("task_id")
	if !ok || !slices.Contains(job.tasks, task) {
		writeError(w, http.StatusBadRequest, "ModelArts.6404", "Training job "+r.PathValue("job_id")+" has no task "+task)
		return nil, "", false
	}
	return job, task, true
}

// renderSaveJobLocked is the documented answer of a save: status is the
// image's (INIT, CREATING, ACTIVE, CREATE_FAILED), message its build
// message and create_time the creation time in UTC milliseconds (the pages
// swap the descriptions of those two; the types decide).
func (s *Server) renderSaveJobLocked(j *saveJob) map[string]any {
	if img, ok := s.images[j.imageID]; ok {
		j.status, j.message = img.Status, img.StatusMessage
	}
	return map[string]any{
		"name": j.name, "namespace": j.namespace, "tag": j.tag, "description": j.description,
		"status": j.status, "message": j.message, "create_time": millis(j.created),
	}
}

// createSaveImageJob serves CreateSaveImageJob: it saves the task as an
// image (made at once, INIT, moving on as the job or the image is read)
// and answers the job. Every body field is optional: the name defaults to
// "job-" and the job ID, the namespace to "training-jobs", the tag to the
// time. A save of a task while another runs is refused ModelArts.6357.
func (s *Server) createSaveImageJob(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name        string `json:"name"`
		Namespace   string `json:"namespace"`
		Tag         string `json:"tag"`
		Description string `json:"description"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	req.Name = or(req.Name, "job-"+strings.ToLower(r.PathValue("job_id")))
	req.Namespace = or(req.Namespace, defaultJobNamespace)
	req.Tag = or(req.Tag, s.Now().UTC().Format("20060102150405"))
	for _, msg := range []string{checkJobImageName(req.Name), checkNamespace(req.Namespace), checkTag(req.Tag), checkDescription(req.Description)} {
		if msg != "" {
			badParam(w, msg)
			return
		}
	}
	if out := s.saveTask(w, r, req.Name, req.Namespace, req.Tag, req.Description); out != nil {
		s.answerCreate(w, out)
	}
}

// saveTask starts the save of the request's task and returns its answer,
// or answers the error itself and returns nil.
func (s *Server) saveTask(w http.ResponseWriter, r *http.Request, name, namespace, tag, description string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	job, task, ok := s.jobTaskLocked(w, r)
	if !ok {
		return nil
	}
	if prev, ok := job.saves[task]; ok {
		if img, ok := s.images[prev.imageID]; ok && !img.Status.IsTerminal() {
			writeError(w, http.StatusBadRequest, "ModelArts.6357", "The task is being saved as an image.")
			return nil
		}
	}
	if s.duplicateLocked(namespace, name, tag) {
		writeError(w, http.StatusBadRequest, "ModelArts.6737", "Duplicate tag for image "+name+":"+tag)
		return nil
	}
	img := s.newSavedImageLocked(namespace, name, tag, description, "0", "swr.fake.local", s.now())
	j := &saveJob{imageID: img.ID, name: name, namespace: namespace, tag: tag, description: description, created: img.CreatedAt}
	job.saves[task] = j
	return s.renderSaveJobLocked(j)
}

// getSaveImageJob serves ShowSaveImageJob: the task's latest save; each
// read moves it (and its image) one step like a read of the image.
func (s *Server) getSaveImageJob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	job, task, ok := s.jobTaskLocked(w, r)
	if !ok {
		return
	}
	j, ok := job.saves[task]
	if !ok {
		writeError(w, http.StatusBadRequest, "ModelArts.6404", "No image save of task "+task)
		return
	}
	if img, ok := s.images[j.imageID]; ok {
		s.advanceLocked(img)
	}
	writeJSON(w, http.StatusOK, s.renderSaveJobLocked(j))
}

// checkJobImageName: up to 512 lowercase letters, digits, '-', '_', '.'
// (the training-job save page).
func checkJobImageName(v string) string {
	if length(v) > 512 || !only(v, func(c rune) bool { return isLower(c) || isDigit(c) || strings.ContainsRune("-_.", c) }) {
		return "name must be at most 512 lowercase letters, digits, '-', '_' and '.'"
	}
	return ""
}
