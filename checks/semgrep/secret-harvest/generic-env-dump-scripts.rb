require "json"
# ruleid: generic-env-dump-scripts
payload = ENV.to_h.to_json
# ok: generic-env-dump-scripts
token = ENV.fetch("GITHUB_TOKEN")
# ok: generic-env-dump-scripts
home = ENV["HOME"]
