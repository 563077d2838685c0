# lca as a Windows logon task (docs/service.md): runs the guard from the clone this script is in,
# and starts it again after a failure a restart can cure, at most 5 times, 15 s apart.
# Not restarted: 0 (a clean stop), 3 (another guard holds this account's lease), 4 (the broker
# refused the login: brokers lock an account after repeated failures), 130 (Ctrl-C).
Set-Location -Path (Split-Path -Parent $PSScriptRoot)
New-Item -ItemType Directory -Force -Path "runs" | Out-Null
$noRestart = @(0, 3, 4, 130)
$code = 1
for ($attempt = 1; $attempt -le 5; $attempt++) {
    cmd /c "uv run --frozen lca run --config config.toml --quiet >> runs\service.log 2>&1"
    $code = $LASTEXITCODE
    Add-Content -Path "runs\service.log" -Value "$(Get-Date -Format o) lca run exited with $code"
    if ($noRestart -contains $code) { exit $code }
    Start-Sleep -Seconds 15
}
exit $code
