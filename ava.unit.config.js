// `npm run test:unit`: the tests that need no backend server (integration/ folders need them).
import all from "./ava.config.js";

export default { ...all, files: [...all.files, "!**/test/integration/**"] };
