// A handler as it would run on AWS Lambda.
let coldStarts = 0;
coldStarts++;

export const handler = async (event, context) => {
  console.log('greeting', event.name);
  return { message: `hello ${event.name}`, coldStarts, remainingMs: context.getRemainingTimeInMillis() };
};
