package modelarts

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

const userAgentBase = "modelarts-go/" + Version
