package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/tapetest/tapetest/internal/golden"
	"github.com/urfave/cli/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

const kubeDir = "../../deploy/kubernetes"

// decodeStrict reads a manifest into a Kubernetes API type: YAML to JSON,
// then JSON with unknown fields refused — a misspelt key fails here, not
// at kubectl apply.
func decodeStrict(t *testing.T, file string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kubeDir, file))
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// parseArgs runs a container's arguments through the CLI's own parser,
// every action replaced by one that records the command: flags and
// arguments the CLI would refuse fail the test.
func parseArgs(t *testing.T, env []string, args []string) *cli.Command {
	t.Helper()
	gs := newGlobalState(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, env)
	root := newRootCommand(gs)
	var ran *cli.Command
	var walk func(c *cli.Command)
	walk = func(c *cli.Command) {
		if c.Action != nil {
			c.Action = func(_ context.Context, c *cli.Command) error { ran = c; return nil }
		}
		for _, sub := range c.Commands {
			walk(sub)
		}
	}
	walk(root)
	if err := root.Run(context.Background(), append([]string{"tapetest"}, args...)); err != nil {
		t.Fatalf("tapetest %s: %v", strings.Join(args, " "), err)
	}
	if ran == nil {
		t.Fatalf("tapetest %s ran no command", strings.Join(args, " "))
	}
	return ran
}

// TestKubernetesManifests: deploy/kubernetes decodes strictly into the API
// types; the shard Job is Indexed with completions = parallelism = the
// --shard count its container passes, through the CLI's own parser; the
// merge Job merges the store the shards write; the ConfigMap holds
// examples/ci/spec.yaml (-update rewrites it) and is mounted where the
// shards read it; both Jobs run as the ServiceAccount given.
func TestKubernetesManifests(t *testing.T) {
	var shard, merge batchv1.Job
	var spec corev1.ConfigMap
	var sa corev1.ServiceAccount
	decodeStrict(t, "shard-job.yaml", &shard)
	decodeStrict(t, "merge-job.yaml", &merge)
	decodeStrict(t, "spec-configmap.yaml", &spec)
	decodeStrict(t, "serviceaccount.yaml", &sa)

	ci, err := os.ReadFile("../../examples/ci/spec.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		var b strings.Builder
		b.WriteString("# The spec every shard runs, mounted at /spec/spec.yaml. Generated from\n# examples/ci/spec.yaml (TestKubernetesManifests -update keeps it so).\n" +
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tapetest-spec\n  labels:\n    app.kubernetes.io/name: tapetest\ndata:\n  spec.yaml: |\n")
		for _, l := range strings.SplitAfter(string(ci), "\n") {
			if l != "" {
				b.WriteString("    " + l)
			}
		}
		os.WriteFile(filepath.Join(kubeDir, "spec-configmap.yaml"), []byte(b.String()), 0o644)
		decodeStrict(t, "spec-configmap.yaml", &spec)
	}
	if spec.Data["spec.yaml"] != string(ci) {
		t.Error("spec-configmap.yaml does not hold examples/ci/spec.yaml: go test ./cmd/tapetest -run TestKubernetesManifests -update")
	}

	s := shard.Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || s.Completions == nil || s.Parallelism == nil || *s.Completions != *s.Parallelism {
		t.Fatalf("shard Job: want an Indexed Job with completions = parallelism, have %+v", s)
	}
	if s.BackoffLimitPerIndex == nil || s.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Error("shard Job: retries go per index (backoffLimitPerIndex, restartPolicy Never)")
	}
	n := int(*s.Completions)
	c := s.Template.Spec.Containers[0]
	for i := 0; i < n; i++ { // every pod's arguments, with its index
		cmd := parseArgs(t, []string{"JOB_COMPLETION_INDEX=" + strconv.Itoa(i)}, c.Args)
		if cmd.Name != "run" && cmd.Name != "sweep" {
			t.Fatalf("shard Job runs %q", cmd.Name)
		}
		gs := newGlobalState(nil, nil, nil, []string{"JOB_COMPLETION_INDEX=" + strconv.Itoa(i)})
		idx, count, err := parseShard(gs, cmd.String("shard"))
		if err != nil || idx != i || count != n {
			t.Fatalf("pod %d: --shard %q reads as %d/%d (%v), the Job has %d completions", i, cmd.String("shard"), idx, count, err, n)
		}
		if cmd.Args().First() != "/spec/spec.yaml" {
			t.Errorf("shard Job reads spec %q", cmd.Args().First())
		}
	}
	store := parseArgs(t, []string{"JOB_COMPLETION_INDEX=0"}, c.Args).String("out")
	mounted := false
	for _, m := range c.VolumeMounts {
		for _, v := range s.Template.Spec.Volumes {
			if v.Name == m.Name && m.MountPath == "/spec" && v.ConfigMap != nil && v.ConfigMap.Name == spec.Name {
				mounted = true
			}
		}
	}
	if !mounted {
		t.Errorf("the shard Job does not mount ConfigMap %s at /spec", spec.Name)
	}
	mc := parseArgs(t, nil, merge.Spec.Template.Spec.Containers[0].Args)
	if mc.Name != "merge" || mc.Args().First() != store {
		t.Errorf("merge Job: %s %q, the shards write %q", mc.Name, mc.Args().First(), store)
	}
	for _, j := range []batchv1.Job{shard, merge} {
		if j.Spec.Template.Spec.ServiceAccountName != sa.Name {
			t.Errorf("%s runs as %q, the ServiceAccount is %q", j.Name, j.Spec.Template.Spec.ServiceAccountName, sa.Name)
		}
		ct := j.Spec.Template.Spec.Containers[0]
		if ct.Resources.Requests.Memory().IsZero() || ct.Resources.Requests.Cpu().IsZero() {
			t.Errorf("%s: no resource requests", j.Name)
		}
	}
}
