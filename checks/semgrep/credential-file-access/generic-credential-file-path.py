import os

# ruleid: generic-credential-file-path
key = open(os.path.expanduser("~/.ssh/id_rsa")).read()
# ruleid: generic-credential-file-path
creds = Path.home() / ".aws/credentials"
# ruleid: generic-credential-file-path
npmrc = os.path.join(os.environ["HOME"], ".npmrc")
# ok: generic-credential-file-path
known = os.path.expanduser("~/.ssh/known_hosts")
# ok: generic-credential-file-path
cfg = os.path.expanduser("~/.config/myapp/settings.toml")
# ruleid: generic-credential-file-path
creds = os.path.join(os.path.expanduser("~"), ".aws", "credentials")
# ok: generic-credential-file-path
conf = os.path.join(os.path.expanduser("~"), ".myapp", "config")
