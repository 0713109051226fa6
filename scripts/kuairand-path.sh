# Sourced by the real-data scripts: sets SHARED and TSV to the KuaiRand sample, or prints where
# the data comes from and exits 1 when it is missing. Expects SCRIPT_NAME to be set.
SHARED="${MEMESTREAM_SHARED_DIR:-../shared}"
TSV="$SHARED/data/kuairand/kuairand27k_like_hate_kcore15.tsv"

if [ ! -f "$TSV" ]; then
    cat >&2 <<MSG
$SCRIPT_NAME: $TSV not found.
The data is KuaiRand-27K (Gao et al., "KuaiRand: An Unbiased Sequential Recommendation Dataset
with Randomly Exposed Videos", CIKM 2022, https://kuairand.com, licence CC BY-SA 4.0), reduced to
like/hate rows by github.com/alessandrosocc/predict_explicit_negative_feedback_kuairand
(processed_data/processed_standard_kcore_15.csv). Save that file under the file name above, or set
MEMESTREAM_SHARED_DIR to the folder that holds data/kuairand/. See docs/real-data.md.
MSG
    exit 1
fi
