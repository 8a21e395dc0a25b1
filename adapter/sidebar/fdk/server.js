// Serverless handlers: register, update and remove this account with Valuedesk, and forward product events.
// Every call goes through a request template that carries the administrator's key (a secure iparam), filled in on
// Freshworks' servers. FDK 10's lint: async only where something is awaited, no unused parameters, helpers last.
exports = {
  onConversationCreateHandler: async function (args) {
    await forward("onConversationCreate", args);
  },

  onTicketCreateHandler: async function (args) {
    await forward("onTicketCreate", args);
  },

  onTicketUpdateHandler: async function (args) {
    await forward("onTicketUpdate", args);
  },

  onAppInstallHandler: async function (args) {
    try {
      await $request.invokeTemplate("valuedeskInstall", { body: JSON.stringify({ timestamp: when(args) }) });
    } catch (error) {
      return renderData({ message: refusal(error) });
    }
    await remember(args.iparams);
    return renderData();
  },

  afterAppUpdateHandler: async function (args) {
    let previous = null;
    try {
      previous = ((await $db.get("valuedesk")) || {}).domain || null;
    } catch (error) {
      previous = null; // installed before the app remembered its domain
    }
    try {
      await $request.invokeTemplate("valuedeskUpdate", {
        body: JSON.stringify({ timestamp: when(args), previous_domain: previous }),
      });
    } catch (error) {
      return renderData({ message: refusal(error) });
    }
    await remember(args.iparams);
    return renderData();
  },

  // Never blocks: an admin can always remove the app; Valuedesk stops the account's jobs when it hears of it.
  onAppUninstallHandler: async function (args) {
    try {
      await $request.invokeTemplate("valuedeskUninstall", { body: JSON.stringify({ timestamp: when(args) }) });
    } catch (error) {
      console.error("Valuedesk did not accept onAppUninstall", error.status);
    }
    return renderData();
  },
};

async function forward(event, args) {
  try {
    await $request.invokeTemplate("valuedeskWebhook", { body: payload(event, args) });
  } catch (error) {
    console.error("Valuedesk did not accept " + event, error.status);
  }
}

function payload(event, args) {
  return JSON.stringify({ region: args.region, account_id: args.account_id, domain: args.domain,
                          event: event, timestamp: args.timestamp, data: args.data });
}

function when(args) {
  return args.timestamp || Date.now();
}

function refusal(error) {
  let answer = {};
  try {
    answer = JSON.parse(error.response || "{}").error || {};
  } catch (ignored) {
    answer = {};
  }
  return answer.message || "Valuedesk could not be reached (" + (error.status || "no connection") + "); try again later.";
}

// The domain this app registered, so an update after the account is renamed can say which installation it was.
async function remember(iparams) {
  try {
    await $db.set("valuedesk", { domain: (iparams || {}).freshdesk_domain || null });
  } catch (error) {
    console.error("Could not remember the Freshdesk domain", error.status);
  }
}
