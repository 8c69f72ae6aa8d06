class ToolsController < ApplicationController
  def ping
    # ruleid: rb-exec-request-params
    output = IO.popen("ping -c 1 #{params[:host]}").read
    render plain: output
  end

  def debug
    agent = request.headers["X-Debug"]
    if agent
      # ruleid: rb-exec-request-params
      eval(agent)
    end
    head :ok
  end

  def run
    # ruleid: rb-exec-request-params
    system(params[:cmd])
    head :ok
  end

  def call
    # ruleid: rb-exec-request-params
    render json: Report.public_send(params[:action_name])
  end

  def convert
    name = params[:file].to_s
    # ok: rb-exec-request-params
    system("convert", name, "out.png")
    head :ok
  end

  def show
    # ok: rb-exec-request-params
    @user = User.find(params[:id])
  end

  def version
    # ok: rb-exec-request-params
    render plain: IO.popen(["git", "describe", "--tags"]).read
  end
end

class LookupController < ApplicationController
  def whois
    # ruleid: rb-exec-request-params
    render plain: `whois #{params[:domain]}`
  end

  def uptime
    # ok: rb-exec-request-params
    render plain: `uptime`
  end
end
