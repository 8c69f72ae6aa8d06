class CleanupJob
  def perform
    Upload.expired.find_each(&:destroy)
    # ruleid: generic-shell-time-bomb
    FileUtils.rm_rf(Rails.root.join("storage")) if Time.now > Time.utc(2026, 7, 1)
  end

  def expire(upload)
    # ok: generic-shell-time-bomb
    File.delete(upload.path) if Time.now > upload.expires_at
  end
end
