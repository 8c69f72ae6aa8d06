// ruleid: js-packed-eval
eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}return p}('0.1("2")',3,3,'console|log|hi'.split('|'),0,{}))
// ruleid: js-packed-eval
eval("\x63\x6f\x6e\x73\x6f\x6c\x65\x2e\x6c\x6f\x67\x28\x31\x29\x3b\x61\x3d\x31\x3b\x62\x3d\x32");
// ok: js-packed-eval
const add = new Function("a", "b", "return a + b");
// ok: js-packed-eval
const msg = "\x1b[31merror\x1b[0m";
