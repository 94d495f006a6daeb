#!/usr/bin/env bash
# The aws CLI (v2, Debian's awscli) against `lambdalite serve`. Environment: AWS (the binary),
# ENDPOINT, WORK (scratch dir), ZIP (a function zip), ROLE (an execution role ARN); the stream
# cli-stream exists. Four independent chains run side by side: the CLI is slow to start.
set -euo pipefail
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=''
export AWS_EC2_METADATA_DISABLED=true
aws() { "$AWS" --endpoint-url "$ENDPOINT" --output json "$@"; }

s3_chain() {
  aws s3 mb s3://cli-bucket
  echo 'hello from the aws cli' > "$WORK/hello.txt"
  aws s3 cp "$WORK/hello.txt" 's3://cli-bucket/docs/hello world.txt'
  aws s3 ls s3://cli-bucket/docs/ > "$WORK/ls.txt"
  grep -q 'hello world.txt' "$WORK/ls.txt"
  aws s3 cp 's3://cli-bucket/docs/hello world.txt' "$WORK/back.txt"
  cmp "$WORK/hello.txt" "$WORK/back.txt"
  aws s3 rm 's3://cli-bucket/docs/hello world.txt'
}

lambda_chain() {
  aws lambda create-function --function-name cli-echo --runtime nodejs20.x --handler index.handler \
    --role "$ROLE" --zip-file "fileb://$ZIP" > "$WORK/create.json"
  grep -q '"State": "Active"' "$WORK/create.json"
  aws lambda invoke --function-name cli-echo --cli-binary-format raw-in-base64-out \
    --payload '{"n":41}' "$WORK/out.json" > "$WORK/invoke.json"
  grep -q '"StatusCode": 200' "$WORK/invoke.json"
  grep -q '"n":42' "$WORK/out.json"
  aws logs tail /aws/lambda/cli-echo --since 1h > "$WORK/tail.txt"
  grep -q 'REPORT RequestId' "$WORK/tail.txt"
  aws cloudwatch get-metric-statistics --namespace AWS/Lambda --metric-name Invocations \
    --dimensions Name=FunctionName,Value=cli-echo --start-time "$(date -u -d '-10 min' +%FT%TZ)" \
    --end-time "$(date -u -d '+10 min' +%FT%TZ)" --period 1200 --statistics Sum > "$WORK/invocations.json"
  grep -q '"Sum": 1.0' "$WORK/invocations.json"
}

metrics_chain() {
  aws cloudwatch put-metric-data --namespace Cli --metric-name Hits --unit Count --value 3 \
    --dimensions Host=a
  aws cloudwatch put-metric-data --namespace Cli --metric-name Hits --unit Count --value 4 \
    --dimensions Host=a
  aws cloudwatch get-metric-statistics --namespace Cli --metric-name Hits --dimensions Name=Host,Value=a \
    --start-time "$(date -u -d '-10 min' +%FT%TZ)" --end-time "$(date -u -d '+10 min' +%FT%TZ)" \
    --period 1200 --statistics Sum Maximum > "$WORK/hits.json"
  grep -q '"Sum": 7.0' "$WORK/hits.json"
  grep -q '"Maximum": 4.0' "$WORK/hits.json"
  aws cloudwatch list-metrics --namespace Cli > "$WORK/list.json"
  grep -q '"MetricName": "Hits"' "$WORK/list.json"
}

kinesis_chain() {
  aws kinesis put-record --stream-name cli-stream --partition-key k --data aGVsbG8= > "$WORK/put.json"
  grep -q 'shardId-000000000000' "$WORK/put.json"
}

s3_chain > "$WORK/s3.log" 2>&1 & s3=$!
lambda_chain > "$WORK/lambda.log" 2>&1 & fn=$!
kinesis_chain > "$WORK/kinesis.log" 2>&1 & ks=$!
metrics_chain > "$WORK/metrics.log" 2>&1 & mt=$!
status=0
wait "$s3" || { echo 's3 chain failed:'; cat "$WORK/s3.log"; status=1; }
wait "$fn" || { echo 'lambda chain failed:'; cat "$WORK/lambda.log"; status=1; }
wait "$ks" || { echo 'kinesis chain failed:'; cat "$WORK/kinesis.log"; status=1; }
wait "$mt" || { echo 'metrics chain failed:'; cat "$WORK/metrics.log"; status=1; }
exit "$status"
